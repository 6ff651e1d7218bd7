import { randomUUID } from 'node:crypto';
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
  /**
   * A LIST of `resource` succeeded (initial list, re-list after 410 Gone or {@link ClusterSource.relist}):
   * called with every listed object (normalised) before the informer applies the list. `listId` is
   * unique per list.
   */
  onList?: (resource: KindResource, list: ClusterList) => void;
  /**
   * An object changed as a watch reported it (or vanished between two lists). Objects a list carried
   * are reported by `onList` only, not again here.
   */
  onEvent?: (type: ClusterEventType, object: ClusterObject, resource: KindResource) => void;
}

export type ClusterEventType = 'add' | 'update' | 'delete';

export interface ClusterList {
  listId: string;
  /** The list's `metadata.resourceVersion`, when the server sent one. */
  resourceVersion: string | undefined;
  items: ClusterObject[];
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
  /** key → resourceVersion of the objects the last list carried, until the informer reports them. */
  listed: Map<string, string | undefined>;
  /** The informer is a fresh one (after `relist`): its list must report what vanished itself. */
  fresh: boolean;
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

  /** Kinds whose informer has not completed a first list yet. */
  notListed(): string[] {
    return this.#entries.filter((e) => !e.listedOnce).map((e) => e.resource.kind);
  }

  /**
   * Lists `kind` again from the API server (a new informer replaces the kind's current one), so that
   * `onList` reports its complete state once more. False when the kind is not watched.
   */
  relist(kind: string): boolean {
    const e = this.#entries.find((x) => x.resource.kind === kind);
    if (!e || this.#stopped) return false;
    const old = e.informer;
    clearTimeout(e.restartTimer);
    e.restartTimer = undefined;
    e.failures = 0;
    e.fresh = true;
    this.#makeInformer(e);
    void old.stop();
    this.#note('listing again on request', e.resource.plural);
    void this.#run(e);
    return true;
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
      listed: new Map(),
      fresh: false,
    } as Entry;
    this.#makeInformer(entry);
    return entry;
  }

  /** A new informer for `entry`; events of the one it replaces are ignored from now on. */
  #makeInformer(entry: Entry): void {
    const { resource } = entry;
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
      if (entry.informer !== informer) throw new Error('replaced');
      entry.listedOnce = true;
      // The server sends list items of built-in kinds without apiVersion and kind.
      const items = (got.items ?? []).map((o) => ({
        ...o,
        apiVersion: resource.apiVersion,
        kind: resource.kind,
      }));
      this.#listed(entry, got.metadata?.resourceVersion, items);
      return { metadata: got.metadata ?? {}, items };
    };
    const informer = makeInformer<ClusterObject>(this.#options.kubeConfig, resource.collectionPath, list);
    entry.informer = informer;
    const current = () => entry.informer === informer;
    const put = (type: 'add' | 'update') => (o: KubernetesObject) => {
      if (!current()) return;
      const obj = normalize(o as ClusterObject, resource);
      const key = clusterKey(resource.kind, obj.metadata.namespace, obj.metadata.name);
      this.#objects.set(key, obj);
      this.#changed();
      if (entry.listed.has(key) && entry.listed.get(key) === obj.metadata.resourceVersion) {
        entry.listed.delete(key);
        return;
      }
      this.#options.onEvent?.(type, obj, resource);
    };
    informer.on('add', put('add'));
    informer.on('update', put('update'));
    informer.on('delete', (o) => {
      if (!current()) return;
      const m = o.metadata;
      const key = clusterKey(resource.kind, m.namespace, m.name);
      entry.listed.delete(key);
      if (this.#objects.delete(key)) this.#changed();
      this.#options.onEvent?.('delete', normalize(o as ClusterObject, resource), resource);
    });
    informer.on('error', (err: unknown) => {
      if (current()) this.#failed(entry, err);
    });
  }

  /** A list arrived: report it, and (for a fresh informer) what vanished since the previous one. */
  #listed(entry: Entry, resourceVersion: string | undefined, raw: ClusterObject[]): void {
    const { resource } = entry;
    const items = raw.map((o) => normalize(o, resource));
    entry.listed = new Map(
      items.map((o) => [
        clusterKey(resource.kind, o.metadata.namespace, o.metadata.name),
        o.metadata.resourceVersion,
      ]),
    );
    this.#options.onList?.(resource, { listId: randomUUID(), resourceVersion, items });
    if (!entry.fresh) return;
    entry.fresh = false;
    for (const [key, o] of [...this.#objects]) {
      if (o.kind !== resource.kind || entry.listed.has(key)) continue;
      this.#objects.delete(key);
      this.#changed();
      this.#options.onEvent?.('delete', o, resource);
    }
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
