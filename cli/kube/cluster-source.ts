import {
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
} from '@kubernetes/client-node';
import { KINDS, type KindName } from '#core/model/bundle.js';
import { type ClusterObject, clusterKey } from './cluster-object.js';
import { discoverKinds, type KindResource, type SkippedKind } from './discover-kinds.js';
import { KubeHttp } from './kube-http.js';

export interface ClusterSourceOptions {
  kubeConfig: KubeConfig;
  /** Raw requests (discovery, lists); made from `kubeConfig` when omitted. */
  http?: KubeHttp;
  /** The kinds to watch; every kind the core reads by default. */
  kinds?: readonly KindName[];
  /** `onChange` runs once changes have settled for this long. */
  debounceMs?: number;
  /** Something changed (after the initial sync): read `objects()` again. */
  onChange?: () => void;
  log?: (line: string) => void;
  /** Restart delays of an informer that stopped on an error: doubled per failure in a row. */
  backoff?: { initialMs?: number; maxMs?: number };
}

export interface ClusterSourceStats {
  /** LIST requests made (initial lists, re-lists after 410 Gone, restarts before a first list). */
  lists: number;
  /** Informers restarted after an error. */
  restarts: number;
  /** Errors reported by informers. */
  errors: number;
}

interface Entry {
  resource: KindResource;
  informer: Informer<ClusterObject> & ObjectCache<ClusterObject>;
  listedOnce: boolean;
  /** Errors in a row: the restart delay grows with them. */
  failures: number;
  erroredSinceStart: boolean;
  restartTimer?: NodeJS.Timeout;
  ready: Promise<void>;
  markReady: () => void;
}

/**
 * The cluster as a source of objects: one @kubernetes/client-node informer (list, then watch from the
 * list's resourceVersion) per kind the core reads, for every kind the server serves. It holds the
 * current objects (managedFields stripped), re-lists when a watch's resourceVersion expired (410
 * Gone, handled by the informer), restarts informers that stop on errors with a backoff, and calls
 * `onChange` (debounced) when anything changed.
 */
export class ClusterSource {
  readonly #options: ClusterSourceOptions;
  readonly #http: KubeHttp;
  readonly #log: (line: string) => void;
  readonly #objects = new Map<string, ClusterObject>();
  #sorted: ClusterObject[] | undefined;
  #entries: Entry[] = [];
  #skipped: SkippedKind[] = [];
  #started = false;
  #stopped = false;
  #debounce: NodeJS.Timeout | undefined;
  readonly #notes = new Map<string, string[]>();
  readonly #stats: ClusterSourceStats = { lists: 0, restarts: 0, errors: 0 };

  constructor(options: ClusterSourceOptions) {
    this.#options = options;
    this.#http = options.http ?? new KubeHttp(options.kubeConfig);
    this.#log = options.log ?? (() => {});
  }

  /** Where each watched kind is served. */
  get resources(): readonly KindResource[] {
    return this.#entries.map((e) => e.resource);
  }

  /** Kinds not watched because the server does not serve them. */
  get skipped(): readonly SkippedKind[] {
    return this.#skipped;
  }

  get stats(): Readonly<ClusterSourceStats> {
    return this.#stats;
  }

  resource(kind: string): KindResource | undefined {
    return this.#entries.find((e) => e.resource.kind === kind)?.resource;
  }

  /**
   * Discovers the kinds, starts an informer for each, and resolves once every one of them has listed
   * its kind (so that the first snapshot is complete: nothing is deleted for want of a list).
   */
  async start(signal?: AbortSignal): Promise<void> {
    const kinds = this.#options.kinds ?? (Object.keys(KINDS) as KindName[]);
    const discovery = await discoverKinds(this.#http, kinds, signal);
    this.#skipped = discovery.skipped;
    for (const s of discovery.skipped) this.#log(`cluster: not watching ${s.kind}: ${s.reason}`);
    this.#entries = discovery.resources.map((r) => this.#entry(r));
    for (const e of this.#entries) void this.#run(e);
    const ready = Promise.all(this.#entries.map((e) => e.ready));
    if (signal) {
      await Promise.race([
        ready,
        new Promise<never>((_, reject) => {
          if (signal.aborted) reject(signal.reason);
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
      ]);
    } else {
      await ready;
    }
    this.#started = true;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#debounce);
    for (const e of this.#entries) clearTimeout(e.restartTimer);
    await Promise.all(this.#entries.map((e) => e.informer.stop()));
  }

  /** Every object held now, in a stable order (the same array until something changes). */
  objects(): ClusterObject[] {
    this.#sorted ??= [...this.#objects.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o);
    return this.#sorted;
  }

  get(kind: string, namespace: string | undefined, name: string): ClusterObject | undefined {
    return this.#objects.get(clusterKey(kind, namespace, name));
  }

  list(kind: string): ClusterObject[] {
    return this.objects().filter((o) => o.kind === kind);
  }

  #entry(resource: KindResource): Entry {
    let markReady = () => {};
    const ready = new Promise<void>((resolve) => {
      markReady = resolve;
    });
    const entry = {
      resource,
      listedOnce: false,
      failures: 0,
      erroredSinceStart: false,
      ready,
      markReady,
    } as Entry;
    const list = async (): Promise<KubernetesListObject<ClusterObject>> => {
      this.#stats.lists++;
      if (entry.listedOnce) this.#note('listing again', resource.plural);
      const got = await this.#http.request<{
        metadata?: { resourceVersion?: string };
        items?: ClusterObject[];
      }>({
        method: 'GET',
        path: resource.collectionPath,
      });
      entry.listedOnce = true;
      // The server sends list items of built-in kinds without apiVersion and kind.
      const items = (got.items ?? []).map((o) => ({
        ...o,
        apiVersion: resource.apiVersion,
        kind: resource.kind,
      }));
      return { metadata: got.metadata ?? {}, items };
    };
    entry.informer = makeInformer<ClusterObject>(this.#options.kubeConfig, resource.collectionPath, list);
    const put = (o: KubernetesObject) => {
      const obj = normalize(o as ClusterObject, resource);
      this.#objects.set(clusterKey(resource.kind, obj.metadata.namespace, obj.metadata.name), obj);
      this.#changed();
    };
    entry.informer.on('add', put);
    entry.informer.on('update', put);
    entry.informer.on('delete', (o) => {
      const m = o.metadata;
      if (this.#objects.delete(clusterKey(resource.kind, m.namespace, m.name))) this.#changed();
    });
    entry.informer.on('error', (err: unknown) => this.#failed(entry, err));
    return entry;
  }

  async #run(e: Entry): Promise<void> {
    if (this.#stopped) return;
    e.erroredSinceStart = false;
    try {
      await e.informer.start();
    } catch (err) {
      this.#failed(e, err);
    }
    if (this.#stopped || e.erroredSinceStart) return;
    if (e.failures > 0) this.#note('watching again', e.resource.plural);
    e.failures = 0;
    if (e.listedOnce) e.markReady();
  }

  /** An informer stopped on an error: it stays stopped until started again, after a backoff. */
  #failed(e: Entry, err: unknown): void {
    if (this.#stopped) return;
    e.erroredSinceStart = true;
    this.#stats.errors++;
    if (e.restartTimer) return;
    e.failures++;
    const initial = this.#options.backoff?.initialMs ?? 500;
    const max = this.#options.backoff?.maxMs ?? 30_000;
    const delay = Math.min(initial * 2 ** (e.failures - 1), max);
    this.#note(`${describe(err)}; retrying in ${delay} ms`, e.resource.plural);
    e.restartTimer = setTimeout(() => {
      e.restartTimer = undefined;
      this.#stats.restarts++;
      void this.#run(e);
    }, delay);
  }

  /** Logs `what` once for all the kinds it happens to within 50 ms (a dropped connection hits them all). */
  #note(what: string, plural: string): void {
    const pending = this.#notes.get(what);
    if (pending) {
      pending.push(plural);
      return;
    }
    this.#notes.set(what, [plural]);
    setTimeout(() => {
      const plurals = this.#notes.get(what) ?? [];
      this.#notes.delete(what);
      const which =
        plurals.length > 3 && plurals.length === this.#entries.length
          ? `all ${plurals.length} watched kinds`
          : plurals.join(', ');
      if (!this.#stopped) this.#log(`cluster: ${which}: ${what}`);
    }, 50);
  }

  #changed(): void {
    this.#sorted = undefined;
    if (!this.#started || this.#stopped || !this.#options.onChange) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => this.#options.onChange?.(), this.#options.debounceMs ?? 100);
  }
}

/** apiVersion and kind set, managedFields (big, and nothing Portico reads) dropped. */
function normalize(o: ClusterObject, r: KindResource): ClusterObject {
  const { managedFields: _, ...metadata } = o.metadata ?? ({} as ClusterObject['metadata']);
  return { ...o, apiVersion: o.apiVersion ?? r.apiVersion, kind: o.kind ?? r.kind, metadata };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    const code = (err as { statusCode?: number }).statusCode;
    return `${code ? `${code} ` : ''}${err.message}${cause ? ` (${cause})` : ''}`;
  }
  return String(err);
}
