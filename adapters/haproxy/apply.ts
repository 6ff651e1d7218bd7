// apply: the plan's resources replace the load balancer's saved ones; its bind address comes from
// the pool (the only allocation, saved with the state); every load balancer's models become the
// files, slots and map entries HAProxy should run; and those go to HAProxy by the cheapest safe path
// from what it really runs, so a hand edit, a runtime change or a half-applied earlier apply is
// repaired too. What runs is read live, unless observe found the adapter's record of its last apply
// still true (state/confirmed-record.ts): then the record is what runs, and nothing is read again.
//
// Cost follows the change: the models, sections, maps and slot lists of the load balancers that did
// not change are the same objects as at the last apply (DesiredFilesCache), so materializing and
// comparing them is a look-up, and only the files that changed are written.

import type { IpFamily, LbKey } from '#core/ir/load-balancer.js';
import { desiredOf } from '#core/plan/desired-of.js';
import type { DesiredResource, Plan, Resource } from '#core/plan/types.js';
import { AbortedError, InvalidConfigError, type LbStatus } from '../types.js';
import {
  createMaterializeCache,
  type HaproxyGlobalSettings,
  type MaterializeCache,
  materialize,
  type SlotAssignments,
} from './config/materialize.js';
import { serverName } from './config/server.js';
import { assignBackendSlots, type SlotAssignment } from './config/slots.js';
import {
  type BackendModel,
  boundTo,
  type DesiredEndpoint,
  type FrontendModel,
  type HaproxyKinds,
  type LbModel,
  type MapModel,
  mapPath,
  POOL_ADDRESS,
  POOL_ADDRESS6,
} from './model.js';
import { modelsFromResources } from './render.js';
import { renderReusing } from './runtime/common-ends.js';
import {
  type ApplyResult,
  applyHAProxyChange,
  type BackendSlots,
  type ConfigStore,
  HAProxyConfigError,
  type HAProxyDesired,
  type HAProxyProcess,
  HAProxyUnavailableError,
  type MapContent,
  type RuntimeClient,
} from './runtime/index.js';
import { readLiveState } from './runtime/live-state.js';
import type { MapOrder } from './runtime/map-edits.js';
import { AddressPool } from './state/address-pool.js';
import type { SavedState, StateWriter } from './state/saved-state.js';

export interface ApplyContext {
  stateDir: string;
  store: ConfigStore;
  runtime: RuntimeClient;
  process: HAProxyProcess;
  /** The pool's addresses (parsed once). */
  pool: readonly string[];
  state: SavedState;
  global?: HaproxyGlobalSettings;
  /** Map entries observe just read from the worker for this load balancer (see readLiveState). */
  runningMaps?: ReadonlyMap<string, readonly (readonly [string, string])[]>;
  /**
   * What HAProxy runs, as the adapter recorded it at its last apply and observe found unchanged
   * since: the change is planned from it, and nothing is read again.
   */
  running?: HAProxyDesired;
  /** The worker's names of its maps by file path, kept between applies (see ApplyOptions.mapRefs). */
  mapRefs?: Map<string, string>;
  /** Parts of earlier applies, reused where the same objects come back (the adapter holds one). */
  cache?: DesiredFilesCache;
  /** Writes the state of the load balancer applied. */
  stateWriter: StateWriter;
}

/** Idle backends kept per load balancer (each holds its server slots, so file descriptors). */
const MAX_IDLE_BACKENDS = 64;

export interface Applied {
  status: LbStatus;
  state: SavedState;
  result: ApplyResult;
  /** What HAProxy runs now (files, slots, map entries); absent after a no-op plan. */
  desired?: HAProxyDesired;
}

export async function applyHaproxyPlan(
  ctx: ApplyContext,
  plan: Plan<HaproxyKinds>,
  signal: AbortSignal,
): Promise<Applied> {
  if (signal.aborted) throw new AbortedError();
  const key = plan.lbKey;
  const held = heldAddresses(ctx.state, key);
  // Observe read this load balancer's live files and runtime state and found them as desired: there
  // is nothing to write, and reading all of HAProxy again would only cost the reconcile loop time.
  if (held.length > 0 && plan.changes.every((c) => c.action === 'noop')) {
    return {
      status: { key, addresses: held, programmed: true },
      state: ctx.state,
      result: {
        path: 'noop',
        reloaded: false,
        runtimeCommands: 0,
        runtimeRequests: 0,
        fellBack: false,
        durationMs: 0,
        written: [],
      },
    };
  }
  const before = new Map((ctx.state.resources[key] ?? []).map((r) => [r.address, r]));
  const byAddress = new Map(before);
  for (const c of plan.changes) {
    if (c.action === 'delete') byAddress.delete(c.address);
    else byAddress.set(c.address, desiredOf(c));
  }
  // Backends no route uses any more stay in the config, idle (the newest MAX_IDLE_BACKENDS): a
  // route that moves back to one is then a map change, not a reload (bench/haproxy, route change).
  const idle = new Map<string, DesiredResource<HaproxyKinds>>();
  if (byAddress.size > 0) {
    for (const r of ctx.state.idle?.[key] ?? []) if (!byAddress.has(r.address)) idle.set(r.address, r);
    for (const c of plan.changes) {
      const retired = c.action === 'delete' && c.kind === 'backend' ? before.get(c.address) : undefined;
      if (retired) idle.set(c.address, retired);
    }
  }
  const idleBackends = { ...ctx.state.idle };
  if (idle.size > 0) idleBackends[key] = [...idle.values()].slice(-MAX_IDLE_BACKENDS);
  else delete idleBackends[key];
  const resources = { ...ctx.state.resources };
  const pool = new AddressPool(ctx.pool, ctx.state.addresses, ctx.state.addresses6);
  if (byAddress.size > 0) {
    resources[key] = [...byAddress.values()];
    const wanted = wantedAddresses(resources[key]);
    for (const family of ['IPv4', 'IPv6'] as const) {
      if (wanted[family]) pool.assign(key, wanted[family].requested, family);
      else pool.release(key, family);
    }
  } else {
    delete resources[key];
    pool.release(key);
  }
  const addresses = pool.assigned('IPv4');
  const addresses6 = pool.assigned('IPv6');
  const addressState = { addresses, ...(Object.keys(addresses6).length > 0 ? { addresses6 } : {}) };
  const next = desiredFiles(
    { resources, slots: ctx.state.slots, ...addressState, idle: idleBackends },
    ctx.stateDir,
    ctx.global,
    ctx.cache,
  );
  const live =
    ctx.running ??
    (await readLiveState(ctx.store, ctx.runtime, {
      runtimeMaps: mapsOf([...(ctx.state.resources[key] ?? []), ...byAddress.values()]),
      ...(ctx.runningMaps ? { knownMaps: ctx.runningMaps } : {}),
      signal,
    }).catch((err: unknown) => {
      // Nothing to compare with: a reload makes HAProxy read the files, whatever it ran before.
      if (err instanceof HAProxyUnavailableError) return undefined;
      throw err;
    }));
  let result: ApplyResult;
  try {
    result = await applyHAProxyChange(live, next.desired, {
      store: ctx.store,
      process: ctx.process,
      runtime: ctx.runtime,
      signal,
      ...(ctx.mapRefs ? { mapRefs: ctx.mapRefs } : {}),
    });
  } catch (err) {
    if (err instanceof HAProxyConfigError) throw new InvalidConfigError(err.message);
    throw err;
  }
  const state: SavedState = {
    resources,
    slots: next.slots,
    ...addressState,
    ...(Object.keys(idleBackends).length > 0 ? { idle: idleBackends } : {}),
  };
  await ctx.stateWriter.save(state, [key]);
  return {
    status: { key, addresses: heldAddresses(state, key), programmed: true },
    state,
    result,
    desired: next.desired,
  };
}

/** What desiredFiles keeps between calls, by identity of the objects each part came from. */
export interface DesiredFilesCache {
  materialize: MaterializeCache;
  /** A load balancer's bound models, by its resource list. */
  models: WeakMap<readonly Resource<HaproxyKinds>[], BoundModels>;
  /** A rendered frontend bound to an address, by the rendered one. */
  frontends: WeakMap<FrontendModel, { v4: string | undefined; v6: string | undefined; bound: FrontendModel }>;
  /** A backend with the slot counts it keeps, by the rendered one. */
  backends: WeakMap<BackendModel, { slots: number; backups: number; value: BackendModel }>;
  /** A backend's slot assignment, by backend and the assignment it had before. */
  assignments: WeakMap<BackendModel, { previous: SlotAssignment | undefined; result: SlotAssignment }>;
  /** A backend's slot list, by its assignment. */
  slotLists: WeakMap<SlotAssignment, BackendSlots>;
  maps: WeakMap<MapModel, MapContent>;
  /** Each map's last content by file path: a new map object with the same entries gets the same one. */
  mapContents: Map<string, { items: MapModel['entries']; content: MapContent }>;
}

interface BoundModels {
  idle: readonly Resource<HaproxyKinds>[] | undefined;
  v4: string | undefined;
  v6: string | undefined;
  models: LbModel[];
}

export function createDesiredFilesCache(): DesiredFilesCache {
  return {
    materialize: createMaterializeCache(),
    models: new WeakMap(),
    frontends: new WeakMap(),
    backends: new WeakMap(),
    assignments: new WeakMap(),
    slotLists: new WeakMap(),
    maps: new WeakMap(),
    mapContents: new Map(),
  };
}

/**
 * Every load balancer's resources as the files, slots and map entries of one HAProxy: frontends
 * bound to the address their load balancer holds, endpoints in the slots they held. With a cache,
 * the parts of load balancers whose resources are the same objects as before are reused.
 */
export function desiredFiles(
  state: SavedState,
  stateDir: string,
  global?: HaproxyGlobalSettings,
  cache: DesiredFilesCache = createDesiredFilesCache(),
): { desired: HAProxyDesired; slots: SavedState['slots'] } {
  const models: LbModel[] = [];
  for (const [key, list] of Object.entries(state.resources)) {
    const v4 = state.addresses[key];
    const v6 = state.addresses6?.[key];
    const idle = state.idle?.[key];
    const hit = cache.models.get(list);
    if (hit && hit.idle === idle && hit.v4 === v4 && hit.v6 === v6) {
      models.push(...hit.models);
      continue;
    }
    const bound = modelsFromResources([...list, ...(idle ?? [])]).map((m) => bindModel(m, v4, v6, cache));
    cache.models.set(list, { idle, v4, v6, models: bound });
    models.push(...bound);
  }
  // Slots only grow (see diffSpec): a backend keeps the slot count it had, and the config must
  // render exactly the slots described here, or the runtime path would see a slot missing from
  // haproxy.cfg and reload (and the reload would then drop the free slots).
  const withSlots = models.map((m) => {
    const backends = m.backends.map((b) => keptSlots(b, state.slots[b.name], cache));
    return backends.every((b, i) => b === m.backends[i]) ? m : { ...m, backends };
  });
  const assignments: Record<string, SlotAssignment> = {};
  const backends: BackendSlots[] = [];
  for (const model of withSlots) {
    for (const b of model.backends) {
      const assignment = assignmentOf(b, state.slots[b.name], cache);
      assignments[b.name] = assignment;
      backends.push(slotListOf(b.name, assignment, cache));
    }
  }
  const { files } = materialize(
    withSlots,
    assignments as SlotAssignments,
    { stateDir, ...(global ? { global } : {}) },
    cache.materialize,
  );
  const maps: MapContent[] = [];
  for (const m of withSlots)
    for (const map of m.maps) {
      let content = cache.maps.get(map);
      if (!content) {
        content = mapContentOf(map, cache);
        cache.maps.set(map, content);
      }
      maps.push(content);
    }
  for (const path of cache.mapContents.keys()) if (!(path in files)) cache.mapContents.delete(path);
  return { desired: { files, backends, maps }, slots: assignments };
}

/**
 * A map's entries as the runtime side takes them: the same object as last time when they are the
 * same, else a new list that shares the unchanged entries (map-edits.ts then looks at the rest).
 */
function mapContentOf(map: MapModel, cache: DesiredFilesCache): MapContent {
  const path = mapPath(map.name);
  const previous = cache.mapContents.get(path);
  const order = mapOrder(map.match);
  const same = (a: MapModel['entries'][number], b: MapModel['entries'][number]) =>
    a === b || (a.key === b.key && a.value === b.value);
  const entries = renderReusing(
    previous && { items: previous.items, rendered: previous.content.entries },
    map.entries,
    same,
    (e) => [e.key, e.value] as const,
  );
  const unchanged =
    previous !== undefined &&
    previous.content.order === order &&
    entries.length === previous.content.entries.length &&
    entries.every((e, i) => e === previous.content.entries[i]);
  const content: MapContent = unchanged
    ? previous.content
    : // materialize's renderMapFile: keys and values that read back as they are (escape.ts).
      { path, entries, order, renderedFromEntries: true };
  cache.mapContents.set(path, { items: map.entries, content });
  return content;
}

/** boundTo, keeping the bound frontends of earlier calls (a new object would miss every later cache). */
function bindModel(
  model: LbModel,
  v4: string | undefined,
  v6: string | undefined,
  cache: DesiredFilesCache,
): LbModel {
  const held = { ...(v4 !== undefined ? { IPv4: v4 } : {}), ...(v6 !== undefined ? { IPv6: v6 } : {}) };
  const fresh = boundTo(model, held);
  const frontends = model.frontends.map((f, i) => {
    const hit = cache.frontends.get(f);
    if (hit && hit.v4 === v4 && hit.v6 === v6) return hit.bound;
    cache.frontends.set(f, { v4, v6, bound: fresh.frontends[i]! });
    return fresh.frontends[i]!;
  });
  return { ...fresh, frontends };
}

/** The backend with at least the slots it had (the same object when it needs no more). */
function keptSlots(b: BackendModel, had: SlotAssignment | undefined, cache: DesiredFilesCache): BackendModel {
  const slots = Math.max(b.slots, had?.slots.length ?? 0);
  const backups = Math.max(b.backupSlots ?? 0, had?.backupSlots?.length ?? 0);
  if (slots === b.slots && backups === (b.backupSlots ?? 0)) return b;
  const hit = cache.backends.get(b);
  if (hit && hit.slots === slots && hit.backups === backups) return hit.value;
  const value = { ...b, slots, ...(backups > 0 ? { backupSlots: backups } : {}) };
  cache.backends.set(b, { slots, backups, value });
  return value;
}

/** assignBackendSlots, the same object as before when nothing moved. */
function assignmentOf(
  b: BackendModel,
  previous: SlotAssignment | undefined,
  cache: DesiredFilesCache,
): SlotAssignment {
  const hit = cache.assignments.get(b);
  if (hit && (hit.previous === previous || hit.result === previous)) return hit.result;
  const computed = assignBackendSlots(previous, b.endpoints, b.slots, b.backupSlots);
  const result = previous && sameAssignment(previous, computed) ? previous : computed;
  cache.assignments.set(b, { previous, result });
  return result;
}

function sameAssignment(a: SlotAssignment, b: SlotAssignment): boolean {
  const same = (
    x: readonly (DesiredEndpoint | null)[] | undefined,
    y: readonly (DesiredEndpoint | null)[] | undefined,
  ) =>
    (x?.length ?? 0) === (y?.length ?? 0) &&
    (x ?? []).every((e, i) => {
      const f = y![i]!;
      return e === f || (e !== null && f !== null && sameEndpoint(e, f));
    });
  return same(a.slots, b.slots) && same(a.backupSlots, b.backupSlots);
}

function sameEndpoint(a: DesiredEndpoint, b: DesiredEndpoint): boolean {
  return (
    a.address === b.address &&
    a.port === b.port &&
    a.weight === b.weight &&
    a.state === b.state &&
    a.backup === b.backup
  );
}

/** The slot contents an assignment puts in a backend's servers (free slots in maintenance). */
function slotListOf(backend: string, assignment: SlotAssignment, cache: DesiredFilesCache): BackendSlots {
  const hit = cache.slotLists.get(assignment);
  if (hit?.backend === backend) return hit;
  const slot = (backup: boolean) => (e: DesiredEndpoint | null, i: number) =>
    e
      ? {
          name: serverName(i, backup),
          address: e.address,
          port: e.port,
          weight: e.weight,
          state: e.state,
        }
      : { name: serverName(i, backup), weight: 1, state: 'maint' as const };
  const value = {
    backend,
    slots: [...assignment.slots.map(slot(false)), ...(assignment.backupSlots ?? []).map(slot(true))],
  };
  cache.slotLists.set(assignment, value);
  return value;
}

/**
 * The families a load balancer's frontends bind, each with the address they asked for when render
 * found one in the pool (otherwise the pool picks).
 */
function wantedAddresses(
  resources: readonly Resource<HaproxyKinds>[],
): Partial<Record<IpFamily, { requested?: string }>> {
  const out: Partial<Record<IpFamily, { requested?: string }>> = {};
  for (const r of resources) {
    if (r.kind !== 'frontend') continue;
    for (const address of [r.value.bind.address, r.value.bind.address6]) {
      if (address === undefined) continue;
      if (address === POOL_ADDRESS) out.IPv4 ??= {};
      else if (address === POOL_ADDRESS6) out.IPv6 ??= {};
      else out[address.includes(':') ? 'IPv6' : 'IPv4'] = { requested: address };
    }
  }
  return out;
}

/** The addresses a load balancer holds, IPv4 first, as its status lists them. */
function heldAddresses(state: SavedState, key: LbKey): LbStatus['addresses'] {
  return [state.addresses[key], state.addresses6?.[key]].flatMap((value) =>
    value === undefined ? [] : [{ type: 'IPAddress' as const, value }],
  );
}

function mapsOf(resources: readonly Resource<HaproxyKinds>[]): string[] {
  return [...new Set(resources.filter((r) => r.kind === 'map').map((r) => mapPath(r.value.name)))];
}

/** How a map's lookups depend on its entries' order (see runtime/map-edits.ts). */
export function mapOrder(match: MapModel['match']): MapOrder {
  return match === 'str' ? 'any' : match === 'beg' ? 'prefix' : 'first-match';
}
