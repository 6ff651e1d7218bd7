// apply: the plan's resources replace the load balancer's saved ones; its bind address comes from
// the pool (the only allocation, saved with the state); every load balancer's models become the
// files, slots and map entries HAProxy should run; and those go to HAProxy by the cheapest safe path
// from what it really runs (read live, never remembered), so a hand edit, a runtime change or a
// half-applied earlier apply is repaired too.

import type { IpFamily, LbKey } from '#core/ir/load-balancer.js';
import { desiredOf } from '#core/plan/desired-of.js';
import type { DesiredResource, Plan, Resource } from '#core/plan/types.js';
import { AbortedError, InvalidConfigError, type LbStatus } from '../types.js';
import { type HaproxyGlobalSettings, materialize, type SlotAssignments } from './config/materialize.js';
import { serverName } from './config/server.js';
import { assignBackendSlots, type SlotAssignment } from './config/slots.js';
import {
  boundTo,
  type DesiredEndpoint,
  type HaproxyKinds,
  type MapModel,
  mapPath,
  POOL_ADDRESS,
  POOL_ADDRESS6,
} from './model.js';
import { modelsFromResources } from './render.js';
import {
  type ApplyResult,
  applyHAProxyChange,
  type ConfigStore,
  HAProxyConfigError,
  type HAProxyDesired,
  type HAProxyProcess,
  HAProxyUnavailableError,
  type RuntimeClient,
} from './runtime/index.js';
import { readLiveState } from './runtime/live-state.js';
import type { MapOrder } from './runtime/map-edits.js';
import { AddressPool } from './state/address-pool.js';
import { type SavedState, saveState } from './state/saved-state.js';

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
}

/** Idle backends kept per load balancer (each holds its server slots, so file descriptors). */
const MAX_IDLE_BACKENDS = 64;

export interface Applied {
  status: LbStatus;
  state: SavedState;
  result: ApplyResult;
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
  );
  const live = await readLiveState(ctx.store, ctx.runtime, {
    runtimeMaps: mapsOf([...(ctx.state.resources[key] ?? []), ...byAddress.values()]),
    ...(ctx.runningMaps ? { knownMaps: ctx.runningMaps } : {}),
    signal,
  }).catch((err: unknown) => {
    // Nothing to compare with: a reload makes HAProxy read the files, whatever it ran before.
    if (err instanceof HAProxyUnavailableError) return undefined;
    throw err;
  });
  let result: ApplyResult;
  try {
    result = await applyHAProxyChange(live, next.desired, {
      store: ctx.store,
      process: ctx.process,
      runtime: ctx.runtime,
      signal,
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
  await saveState(ctx.stateDir, state);
  return {
    status: { key, addresses: heldAddresses(state, key), programmed: true },
    state,
    result,
  };
}

/**
 * Every load balancer's resources as the files, slots and map entries of one HAProxy: frontends
 * bound to the address their load balancer holds, endpoints in the slots they held.
 */
export function desiredFiles(
  state: SavedState,
  stateDir: string,
  global?: HaproxyGlobalSettings,
): { desired: HAProxyDesired; slots: SavedState['slots'] } {
  const bound = Object.entries(state.resources).flatMap(([key, list]) => {
    const held = { IPv4: state.addresses[key], IPv6: state.addresses6?.[key] };
    return modelsFromResources([...list, ...(state.idle?.[key] ?? [])]).map((m) => boundTo(m, held));
  });
  // Slots only grow (see diffSpec): a backend keeps the slot count it had, and the config must
  // render exactly the slots described here, or the runtime path would see a slot missing from
  // haproxy.cfg and reload (and the reload would then drop the free slots).
  const models = bound.map((m) => ({
    ...m,
    backends: m.backends.map((b) => {
      const count = Math.max(b.slots, state.slots[b.name]?.slots.length ?? 0);
      const backups = Math.max(b.backupSlots ?? 0, state.slots[b.name]?.backupSlots?.length ?? 0);
      return count === b.slots && backups === (b.backupSlots ?? 0)
        ? b
        : { ...b, slots: count, ...(backups > 0 ? { backupSlots: backups } : {}) };
    }),
  }));
  const assignments: Record<string, SlotAssignment> = {};
  const backends: HAProxyDesired['backends'][number][] = [];
  for (const model of models) {
    for (const b of model.backends) {
      const assignment = assignBackendSlots(state.slots[b.name], b.endpoints, b.slots, b.backupSlots);
      assignments[b.name] = assignment;
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
      backends.push({
        backend: b.name,
        slots: [...assignment.slots.map(slot(false)), ...(assignment.backupSlots ?? []).map(slot(true))],
      });
    }
  }
  const { files } = materialize(models, assignments as SlotAssignments, {
    stateDir,
    ...(global ? { global } : {}),
  });
  const maps = models.flatMap((m) =>
    m.maps.map((map) => ({
      path: mapPath(map.name),
      entries: map.entries.map((e) => [e.key, e.value] as const),
      order: mapOrder(map.match),
    })),
  );
  return { desired: { files, backends, maps }, slots: assignments };
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
