// observe: what HAProxy really runs for one load balancer. The sections and files Portico wrote for
// it are read from disk (haproxy.cfg, map files, crt-lists, certificates: what the running worker
// read at its last start or reload, and what the next one will read), and the parts the runtime API
// can change under it are read from the worker: server slots (`show servers state`) and map entries
// (`show map`). Where disk and worker disagree, the one that differs from what Portico applied is
// reported, so either kind of drift shows. Only this load balancer's names are looked at: the
// reference is what render wants plus what the adapter last applied for it, so a resource that is no
// longer wanted is still found (and deleted). Cost: one config file read and parse, one
// `show servers state`, and one `show map` per map of this load balancer.
//
// The same reading runs on the adapter's record of what it last applied (state/confirmed-record.ts)
// when nothing can have changed since: observeRecorded, no file and no worker read.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { ObservedResource, Resource } from '#core/plan/types.js';
import { AbortedError, type Observed } from '../types.js';
import { mapOrder } from './apply.js';
import { type ConfigSection, sortEndpoints } from './config/read-back.js';
import { ReadBackCache } from './config/read-back-cache.js';
import {
  type BackendModel,
  certPath,
  type DesiredEndpoint,
  type FrontendModel,
  type HaproxyKinds,
  type MapModel,
  mapPath,
  POOL_ADDRESS,
  POOL_ADDRESS6,
} from './model.js';
import type { ConfigStore, HAProxyDesired, RuntimeClient, SlotContent } from './runtime/index.js';
import { slotContent } from './runtime/live-state.js';
import { alignMapEntries } from './runtime/map-edits.js';
import { parseMapFile, sameEntries } from './runtime/map-file.js';
import type { SavedState } from './state/saved-state.js';

export interface ObserveContext {
  stateDir: string;
  store: ConfigStore;
  runtime: RuntimeClient;
  state: SavedState;
  /** Keeps the parsed config between observes (the adapter holds one). */
  readBack?: ReadBackCache;
  /** Filled with the entries read from the worker per map path, for the apply that follows. */
  runningMaps?: Map<string, [string, string][]>;
  /** Reads a managed file (relative path; undefined when absent); default: from the state dir. */
  readFile?: (rel: string) => Promise<string | undefined>;
}

/** Where the reading comes from: disk and worker, or the record of the last apply. */
interface RunningSource {
  sections: ReadonlyMap<string, ConfigSection>;
  /** The store's `.pending` phase: files written, HAProxy not confirmed to run them. */
  pending: string | undefined;
  file(rel: string): Promise<string | undefined>;
  /** The worker's serving endpoints by backend name, for the backends named. */
  endpoints: ReadonlyMap<string, DesiredEndpoint[]>;
  /** The entries a map runs; undefined when its file is absent. */
  mapEntries(map: MapModel, address: string): Promise<readonly { key: string; value: string }[] | undefined>;
}

const UNCONFIRMED = '~ not confirmed running: an apply stopped between the files and HAProxy';

export async function observeHaproxy(
  ctx: ObserveContext,
  key: LbKey,
  desired: readonly Resource<HaproxyKinds>[],
  signal: AbortSignal,
): Promise<Observed<HaproxyKinds>> {
  if (signal.aborted) throw new AbortedError();
  const references = referencesOf(ctx.state, key, desired);
  if (references.size === 0) return { resources: [], complete: true };

  const read =
    ctx.readFile ?? ((rel: string) => readFile(join(ctx.stateDir, rel), 'utf8').catch(() => undefined));
  const readBack = ctx.readBack ?? new ReadBackCache();
  const sections = readBack.sectionsOf((await read(ctx.store.configFile)) ?? '');
  const pending = await ctx.store.pending();
  const cli = { signal };
  const backendNames = backendNamesOf(references);
  const running = new Map<string, DesiredEndpoint[]>();
  if (backendNames.size > 0)
    for (const s of await ctx.runtime.showServersState(undefined, cli))
      if (backendNames.has(s.backend)) addEndpoint(running, s.backend, slotContent(s));
  const hasMaps = [...references.values()].some((r) => r.kind === 'map');
  const loadedMaps = hasMaps ? await ctx.runtime.showMaps(cli) : [];
  const source: RunningSource = {
    sections,
    pending,
    file: read,
    endpoints: running,
    async mapEntries(m) {
      const path = mapPath(m.name);
      const content = await read(path);
      if (content === undefined) return undefined;
      const onDisk = parseMapFile(content);
      const wanted = m.entries.map((e) => [e.key, e.value] as const);
      const loaded = loadedMaps.find((l) => l.path === path || l.path.endsWith(`/${path}`));
      const showMap = async (ref: string) => {
        const entries = await ctx.runtime.showMap(ref, cli);
        ctx.runningMaps?.set(path, entries);
        return entries;
      };
      // A map the worker has not loaded runs with no entries.
      // Entries edited one by one run in another order than the file's where lookups do not care.
      const entries = !sameEntries(onDisk, wanted)
        ? onDisk
        : loaded === undefined
          ? []
          : alignMapEntries(await showMap(loaded.path), wanted, mapOrder(m.match));
      return entries.map(([k, v]) => ({ key: k, value: v }));
    },
  };
  return { resources: await observeFrom(source, ctx, key, references, readBack), complete: true };
}

/**
 * The same observation from the adapter's record: `running` is what the last apply made HAProxy run
 * (files, slots, map entries) and ctx.state the resources it applied. Only valid while nothing else
 * changed HAProxy since (the caller's checks, state/confirmed-record.ts).
 */
export async function observeRecorded(
  ctx: Pick<ObserveContext, 'state' | 'stateDir' | 'readBack'>,
  running: HAProxyDesired,
  configFile: string,
  key: LbKey,
  desired: readonly Resource<HaproxyKinds>[],
): Promise<Observed<HaproxyKinds>> {
  const references = referencesOf(ctx.state, key, desired);
  if (references.size === 0) return { resources: [], complete: true };
  const readBack = ctx.readBack ?? new ReadBackCache();
  const backendNames = backendNamesOf(references);
  const endpoints = new Map<string, DesiredEndpoint[]>();
  for (const b of running.backends)
    if (backendNames.has(b.backend)) for (const slot of b.slots) addEndpoint(endpoints, b.backend, slot);
  const applied = new Map((ctx.state.resources[key] ?? []).map((r) => [r.address, r]));
  const source: RunningSource = {
    sections: readBack.sectionsOf(running.files[configFile] ?? ''),
    pending: undefined,
    file: async (rel) => running.files[rel],
    async mapEntries(m, address) {
      const path = mapPath(m.name);
      const content = running.files[path];
      if (content === undefined) return undefined;
      // The file was rendered from the applied entries (keys and values round-trip, escape.ts), and
      // the worker runs them, edited in an order whose lookups are the same.
      const recorded = applied.get(address);
      if (recorded?.kind === 'map' && mapPath(recorded.value.name) === path) return recorded.value.entries;
      return parseMapFile(content).map(([k, v]) => ({ key: k, value: v }));
    },
    endpoints,
  };
  return { resources: await observeFrom(source, ctx, key, references, readBack), complete: true };
}

/** What render wants plus what the adapter last applied for the key, by address (desired wins). */
function referencesOf(
  state: SavedState,
  key: LbKey,
  desired: readonly Resource<HaproxyKinds>[],
): Map<string, Resource<HaproxyKinds>> {
  const references = new Map<string, Resource<HaproxyKinds>>();
  for (const r of state.resources[key] ?? []) references.set(r.address, r);
  for (const r of desired) references.set(r.address, r);
  return references;
}

function backendNamesOf(references: ReadonlyMap<string, Resource<HaproxyKinds>>): Set<string> {
  const names = new Set<string>();
  for (const r of references.values()) if (r.kind === 'backend') names.add(r.value.name);
  return names;
}

/** A serving slot as an endpoint of its backend; free and maintenance slots are none. */
function addEndpoint(running: Map<string, DesiredEndpoint[]>, backend: string, slot: SlotContent): void {
  const list = running.get(backend) ?? [];
  if (slot.address !== undefined && slot.port !== undefined && slot.state !== 'maint')
    list.push({
      address: slot.address,
      port: slot.port,
      weight: slot.weight,
      state: slot.state,
      // Backup slots are named b1, b2... (config/server.ts).
      ...(slot.name.startsWith('b') ? { backup: true as const } : {}),
    });
  running.set(backend, list);
}

async function observeFrom(
  source: RunningSource,
  ctx: Pick<ObserveContext, 'state' | 'stateDir'>,
  key: LbKey,
  references: ReadonlyMap<string, Resource<HaproxyKinds>>,
  readBack: ReadBackCache,
): Promise<ObservedResource<HaproxyKinds>[]> {
  const { sections, pending } = source;
  const resources: ObservedResource<HaproxyKinds>[] = [];
  // What runs at the reference's address, typed by the reference's kind.
  const found = (r: ObservedResource<HaproxyKinds>) => resources.push(r);
  for (const ref of references.values()) {
    if (ref.kind === 'frontend') {
      const f = ref.value;
      const section = sections.get(`frontend ${f.name}`);
      if (!section) continue;
      const crtLists: Record<string, string> = {};
      for (const path of [f.tls?.mode === 'Terminate' ? f.tls.crtList : undefined, f.terminator?.tls.crtList])
        if (path !== undefined) crtLists[path] = (await source.file(path)) ?? '';
      const live = readBack.frontend(section, f, crtLists, { sections, instance: ctx.stateDir });
      // A live address that is the one the key holds reads back as the placeholder render asked with.
      const asAsked = (liveAddress: string | undefined, asked: string | undefined) => {
        if (liveAddress === undefined) return undefined;
        const v6 = liveAddress.includes(':');
        const held = v6 ? ctx.state.addresses6?.[key] : ctx.state.addresses[key];
        const placeholder = v6 ? POOL_ADDRESS6 : POOL_ADDRESS;
        return liveAddress === held && (asked === placeholder || asked === liveAddress) ? asked : liveAddress;
      };
      const address = asAsked(live.bind.address, f.bind.address)!;
      const address6 = asAsked(live.bind.address6, f.bind.address6);
      found({
        ...ref,
        value: withUnconfirmed(
          { ...live, bind: { ...live.bind, address, ...(address6 !== undefined ? { address6 } : {}) } },
          pending,
        ),
        owned: true,
      });
    } else if (ref.kind === 'backend') {
      const b = ref.value;
      const section = sections.get(`backend ${b.name}`);
      if (!section) continue;
      const onDisk = readBack.backend(section, b);
      const inWorker = source.endpoints.get(b.name);
      const endpoints =
        inWorker === undefined || !sameEndpoints(onDisk.endpoints, b.endpoints)
          ? onDisk.endpoints
          : sortEndpoints(inWorker);
      found({ ...ref, value: withUnconfirmed({ ...onDisk, endpoints }, pending), owned: true });
    } else if (ref.kind === 'map') {
      const entries = await source.mapEntries(ref.value, ref.address);
      if (entries === undefined) continue;
      found({ ...ref, value: { ...ref.value, entries: [...entries] }, owned: true });
    } else if (ref.kind === 'cert') {
      const c = ref.value;
      const pem = await source.file(certPath(c.name));
      if (pem !== undefined) found({ ...ref, value: { ...c, pem }, owned: true });
    }
  }
  return resources;
}

/** After a crash between the files and HAProxy, what the files say may not be what runs. */
function withUnconfirmed<T extends FrontendModel | BackendModel>(value: T, pending: string | undefined): T {
  if (pending === undefined) return value;
  return { ...value, configDrift: [...(value.configDrift ?? []), UNCONFIRMED] };
}

function sameEndpoints(a: readonly DesiredEndpoint[], b: readonly DesiredEndpoint[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (e, i) =>
        e.address === b[i]!.address &&
        e.port === b[i]!.port &&
        e.weight === b[i]!.weight &&
        e.state === b[i]!.state &&
        e.backup === b[i]!.backup,
    )
  );
}
