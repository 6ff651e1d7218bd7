import { isRouteKind } from '#core/index/references.js';
import { releaseOf } from '#core/status/release.js';
import type { ObjectStatus, StatusRelease } from '#core/status/types.js';
import { type ClusterObject, clusterKey } from './cluster-object.js';
import { type KindResource, objectPath } from './discover-kinds.js';
import { KubeApiError } from './kube-api-error.js';
import type { KubeHttp } from './kube-http.js';
import { planReleasePatch, planStatusPatch } from './status-patch.js';

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
   * The statuses given are a whole translation (default true): Portico's parent entries they do not
   * carry are removed from routes, and Portico's status is released (planReleasePatch) from the
   * Gateways, GatewayClasses, Ingresses and Services this writer wrote before and the translation no
   * longer covers (moved to another controller's class). Off when writing statuses a few at a time
   * (the status pull), where releases come explicitly ({@link StatusWriter.release}).
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

/** One write: a status to say, or Portico's part of an object to withdraw. */
type Job = { desired: ObjectStatus } | { release: StatusRelease };
const MAX_ATTEMPTS = 4;

/**
 * Writes the statuses of a translation back into the cluster: one merge patch of the `/status`
 * subresource per object whose status would change (none for the others), carrying the
 * resourceVersion it was computed from, so that a concurrent write by another controller is never
 * overwritten: on 409 Conflict the object is read again and the patch computed again. Routes that
 * still carry Portico parent entries but got no status this time (their parentRef left the spec)
 * have those entries removed, and objects it no longer programs are released (unless `prune` is off).
 */
export class StatusWriter {
  readonly #options: StatusWriterOptions;
  /** What our last write returned, by object, until the cache has caught up with it. */
  readonly #written = new Map<string, { from: string | undefined; object: ClusterObject }>();
  /**
   * Prune mode: the last status of each non-route object a whole translation gave (what Portico
   * wrote there), so that the next translation that leaves it out can release it. In memory only:
   * after a restart, objects dropped while the writer was down keep Portico's last status.
   */
  readonly #covered = new Map<string, ObjectStatus>();

  constructor(options: StatusWriterOptions) {
    this.#options = options;
  }

  async write(statuses: readonly ObjectStatus[], signal?: AbortSignal): Promise<StatusWriteReport> {
    const jobs: Job[] = statuses.map((desired) => ({ desired }));
    if (this.#options.prune === false) return this.#run(jobs, signal);
    const pruned = this.#pruneJobs(statuses);
    const failed = new Set<Job>();
    const report = await this.#run([...jobs, ...pruned], signal, failed);
    // Forgotten once released (or gone); a failed release is tried again by the next write.
    for (const job of pruned) {
      if ('release' in job && !failed.has(job) && !signal?.aborted) {
        const { kind, namespace, name } = job.release;
        this.#covered.delete(clusterKey(kind, namespace, name));
      }
    }
    return report;
  }

  /** Withdraws Portico's part of these objects (planReleasePatch); objects gone are skipped. */
  async release(releases: readonly StatusRelease[], signal?: AbortSignal): Promise<StatusWriteReport> {
    return this.#run(
      releases.map((release) => ({ release })),
      signal,
    );
  }

  async #run(jobs: readonly Job[], signal?: AbortSignal, failed?: Set<Job>): Promise<StatusWriteReport> {
    const report: StatusWriteReport = { written: [], unchanged: 0, skipped: [], failed: [] };
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !signal?.aborted) {
        const job = jobs[next++]!;
        if (!(await this.#writeOne(job, report, signal))) failed?.add(job);
      }
    };
    await Promise.all(Array.from({ length: this.#options.concurrency ?? 8 }, worker));
    return report;
  }

  /** A whole translation: what it no longer says that Portico said before. */
  #pruneJobs(statuses: readonly ObjectStatus[]): Job[] {
    const jobs: Job[] = [];
    const covered = new Set(statuses.map((s) => clusterKey(s.kind, s.namespace, s.name)));
    for (const kind of ROUTE_KINDS) {
      for (const route of this.#options.objects.list(kind)) {
        const { namespace, name } = route.metadata;
        if (covered.has(clusterKey(kind, namespace, name)) || !this.#hasOurParents(route)) continue;
        jobs.push({
          desired: {
            kind,
            ...(namespace ? { namespace } : {}),
            name,
            loadBalancers: [],
            status: { parents: [] },
          },
        });
      }
    }
    for (const [key, last] of this.#covered) {
      if (covered.has(key)) continue;
      const release = releaseOf(last);
      if (release) jobs.push({ release });
      else this.#covered.delete(key);
    }
    for (const s of statuses) {
      if (!isRouteKind(s.kind)) this.#covered.set(clusterKey(s.kind, s.namespace, s.name), s);
    }
    return jobs;
  }

  async #writeOne(job: Job, report: StatusWriteReport, signal?: AbortSignal): Promise<boolean> {
    const { kind, namespace, name } = 'desired' in job ? job.desired : job.release;
    const id = `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
    const resource = this.#options.objects.resource(kind);
    if (!resource?.hasStatus) {
      report.skipped.push(`${id}: no status subresource is served for ${kind}`);
      return true;
    }
    const key = clusterKey(kind, namespace, name);
    let object = this.#latest(key, kind, namespace, name);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (!object) {
        report.skipped.push(`${id}: not in the cluster`);
        return true;
      }
      const { controllerName } = this.#options;
      const status =
        'desired' in job
          ? planStatusPatch(object, job.desired, {
              controllerName,
              now: this.#options.now(),
              ...(this.#options.prune !== false ? { complete: true } : {}),
            })
          : planReleasePatch(object, job.release, { controllerName });
      if (!status) {
        report.unchanged++;
        return true;
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
        return true;
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 404) {
          report.skipped.push(`${id}: not in the cluster`);
          return true;
        }
        if (!(err instanceof KubeApiError && err.code === 409) || attempt === MAX_ATTEMPTS) {
          report.failed.push({ object: id, message: err instanceof Error ? err.message : String(err) });
          return false;
        }
        try {
          object = await this.#read(resource, namespace, name, signal);
        } catch (readErr) {
          report.failed.push({
            object: id,
            message: readErr instanceof Error ? readErr.message : String(readErr),
          });
          return false;
        }
      }
    }
    return false; // unreachable: the last attempt returns
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
