import type { ObjectStatus } from '#core/status/types.js';
import { type ClusterObject, clusterKey } from './cluster-object.js';
import { type KindResource, objectPath } from './discover-kinds.js';
import { KubeApiError } from './kube-api-error.js';
import type { KubeHttp } from './kube-http.js';
import { planStatusPatch } from './status-patch.js';

/** Where the writer reads objects as the cluster last showed them (the cluster source). */
export interface StatusObjects {
  get(kind: string, namespace: string | undefined, name: string): ClusterObject | undefined;
  list(kind: string): ClusterObject[];
  resource(kind: string): KindResource | undefined;
}

export interface StatusWriterOptions {
  http: KubeHttp;
  objects: StatusObjects;
  /** Route parent entries with this controllerName are Portico's; all others are left alone. */
  controllerName: string;
  /** RFC 3339 timestamps for lastTransitionTime (the CLI passes `() => new Date().toISOString()`). */
  now: () => string;
  fieldManager?: string;
  /** Status writes in flight at once. */
  concurrency?: number;
  /**
   * Remove Portico's parent entries from routes the statuses given do not cover (default true: the
   * statuses are a whole translation). Off when writing statuses a few at a time.
   */
  prune?: boolean;
}

export interface StatusWriteReport {
  /** `Kind namespace/name` of every object patched. */
  written: string[];
  /** Objects whose status already said it all: no request made. */
  unchanged: number;
  /** Objects not written: gone from the cluster, or their kind has no status subresource here. */
  skipped: string[];
  failed: { object: string; message: string }[];
}

const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'] as const;
const MAX_ATTEMPTS = 4;

/**
 * Writes the statuses of a translation back into the cluster: one merge patch of the `/status`
 * subresource per object whose status would change (none for the others), carrying the
 * resourceVersion it was computed from, so that a concurrent write by another controller is never
 * overwritten: on 409 Conflict the object is read again and the patch computed again. Routes that
 * still carry Portico parent entries but got no status this time (their parentRef left the spec)
 * have those entries removed (unless `prune` is off).
 */
export class StatusWriter {
  readonly #options: StatusWriterOptions;
  /** What our last write returned, by object, until the cache has caught up with it. */
  readonly #written = new Map<string, { from: string | undefined; object: ClusterObject }>();

  constructor(options: StatusWriterOptions) {
    this.#options = options;
  }

  async write(statuses: readonly ObjectStatus[], signal?: AbortSignal): Promise<StatusWriteReport> {
    const report: StatusWriteReport = { written: [], unchanged: 0, skipped: [], failed: [] };
    const jobs: ObjectStatus[] = [...statuses];
    const covered = new Set(statuses.map((s) => clusterKey(s.kind, s.namespace, s.name)));
    for (const kind of this.#options.prune === false ? [] : ROUTE_KINDS) {
      for (const route of this.#options.objects.list(kind)) {
        const { namespace, name } = route.metadata;
        if (covered.has(clusterKey(kind, namespace, name)) || !this.#hasOurParents(route)) continue;
        jobs.push({
          kind,
          ...(namespace ? { namespace } : {}),
          name,
          loadBalancers: [],
          status: { parents: [] },
        });
      }
    }
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !signal?.aborted) await this.#writeOne(jobs[next++]!, report, signal);
    };
    await Promise.all(Array.from({ length: this.#options.concurrency ?? 8 }, worker));
    return report;
  }

  async #writeOne(desired: ObjectStatus, report: StatusWriteReport, signal?: AbortSignal): Promise<void> {
    const { kind, namespace, name } = desired;
    const id = `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
    const resource = this.#options.objects.resource(kind);
    if (!resource?.hasStatus) {
      report.skipped.push(`${id}: no status subresource is served for ${kind}`);
      return;
    }
    const key = clusterKey(kind, namespace, name);
    let object = this.#latest(key, kind, namespace, name);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (!object) {
        report.skipped.push(`${id}: not in the cluster`);
        return;
      }
      const status = planStatusPatch(object, desired, {
        controllerName: this.#options.controllerName,
        now: this.#options.now(),
      });
      if (!status) {
        report.unchanged++;
        return;
      }
      const from = object.metadata.resourceVersion;
      try {
        const written = await this.#options.http.request<ClusterObject>({
          method: 'PATCH',
          path: objectPath(resource, namespace, name, 'status'),
          query: { fieldManager: this.#options.fieldManager ?? 'portico' },
          body: { metadata: from ? { resourceVersion: from } : {}, status },
          ...(signal ? { signal } : {}),
        });
        this.#written.set(key, { from, object: written });
        report.written.push(id);
        return;
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 404) {
          report.skipped.push(`${id}: not in the cluster`);
          return;
        }
        if (!(err instanceof KubeApiError && err.code === 409) || attempt === MAX_ATTEMPTS) {
          report.failed.push({ object: id, message: err instanceof Error ? err.message : String(err) });
          return;
        }
        try {
          object = await this.#read(resource, namespace, name, signal);
        } catch (readErr) {
          report.failed.push({
            object: id,
            message: readErr instanceof Error ? readErr.message : String(readErr),
          });
          return;
        }
      }
    }
  }

  /** The cached object, or what our last write returned when the cache has not seen that write yet. */
  #latest(key: string, kind: string, namespace: string | undefined, name: string): ClusterObject | undefined {
    const cached = this.#options.objects.get(kind, namespace, name);
    const mine = this.#written.get(key);
    if (!mine) return cached;
    if (cached && cached.metadata.resourceVersion === mine.from) return mine.object;
    this.#written.delete(key);
    return cached;
  }

  async #read(
    resource: KindResource,
    namespace: string | undefined,
    name: string,
    signal?: AbortSignal,
  ): Promise<ClusterObject | undefined> {
    try {
      return await this.#options.http.request<ClusterObject>({
        method: 'GET',
        path: objectPath(resource, namespace, name),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 404) return undefined;
      throw err;
    }
  }

  #hasOurParents(route: ClusterObject): boolean {
    const parents = (route.status as { parents?: unknown } | undefined)?.parents;
    return (
      Array.isArray(parents) &&
      parents.some(
        (p) => (p as { controllerName?: unknown })?.controllerName === this.#options.controllerName,
      )
    );
  }
}
