// apply: the plan's resources replace the load balancer's saved ones; its bind address comes from
// the pool (the only allocation, saved with the state); every load balancer's models become the
// files, slots and map entries HAProxy should run; and those go to HAProxy by the cheapest safe path
// from what it really runs (read live, never remembered), so a hand edit, a runtime change or a
// half-applied earlier apply is repaired too.

import { desiredOf } from '#core/plan/desired-of.js';
import type { DesiredResource, Plan, Resource } from '#core/plan/types.js';
import { AbortedError, InvalidConfigError, type LbStatus } from '../types.js';
import { type HaproxyGlobalSettings, materialize, type SlotAssignments } from './config/materialize.js';
import { serverName } from './config/server.js';
import { assignSlots, type SlotAssignment } from './config/slots.js';
import { boundTo, type HaproxyKinds, type MapModel, mapPath, POOL_ADDRESS } from './model.js';
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
  const held = ctx.state.addresses[key];
  // Observe read this load balancer's live files and runtime state and found them as desired: there
  // is nothing to write, and reading all of HAProxy again would only cost the reconcile loop time.
  if (held !== undefined && plan.changes.every((c) => c.action === 'noop')) {
    return {
      status: { key, addresses: [{ type: 'IPAddress', value: held }], programmed: true },
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
  const pool = new AddressPool(ctx.pool, ctx.state.addresses);
  if (byAddress.size > 0) {
    resources[key] = [...byAddress.values()];
    pool.assign(key, requestedAddress(resources[key]));
  } else {
    delete resources[key];
    pool.release(key);
  }
  const addresses = pool.assigned();
  const next = desiredFiles(
    { resources, slots: ctx.state.slots, addresses, idle: idleBackends },
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
    addresses,
    ...(Object.keys(idleBackends).length > 0 ? { idle: idleBackends } : {}),
  };
  await saveState(ctx.stateDir, state);
  const address = addresses[key];
  return {
    status: { key, addresses: address ? [{ type: 'IPAddress', value: address }] : [], programmed: true },
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
    const address = state.addresses[key];
    if (address === undefined) throw new Error(`haproxy: load balancer ${key} holds no address`);
    return modelsFromResources([...list, ...(state.idle?.[key] ?? [])]).map((m) => boundTo(m, address));
  });
  // Slots only grow (see diffSpec): a backend keeps the slot count it had, and the config must
  // render exactly the slots described here, or the runtime path would see a slot missing from
  // haproxy.cfg and reload (and the reload would then drop the free slots).
  const models = bound.map((m) => ({
    ...m,
    backends: m.backends.map((b) => {
      const count = Math.max(b.slots, state.slots[b.name]?.slots.length ?? 0);
      return count === b.slots ? b : { ...b, slots: count };
    }),
  }));
  const assignments: Record<string, SlotAssignment> = {};
  const backends: HAProxyDesired['backends'][number][] = [];
  for (const model of models) {
    for (const b of model.backends) {
      const assignment = assignSlots(state.slots[b.name], b.endpoints, b.slots);
      assignments[b.name] = assignment;
      backends.push({
        backend: b.name,
        slots: assignment.slots.map((e, i) =>
          e
            ? { name: serverName(i), address: e.address, port: e.port, weight: e.weight, state: e.state }
            : { name: serverName(i), weight: 1, state: 'maint' as const },
        ),
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

/** The address a load balancer's frontends asked for, when render found one in the pool. */
function requestedAddress(resources: readonly Resource<HaproxyKinds>[]): string | undefined {
  for (const r of resources)
    if (r.kind === 'frontend' && r.value.bind.address !== POOL_ADDRESS) return r.value.bind.address;
  return undefined;
}

function mapsOf(resources: readonly Resource<HaproxyKinds>[]): string[] {
  return [...new Set(resources.filter((r) => r.kind === 'map').map((r) => mapPath(r.value.name)))];
}

/** How a map's lookups depend on its entries' order (see runtime/map-edits.ts). */
export function mapOrder(match: MapModel['match']): MapOrder {
  return match === 'str' ? 'any' : match === 'beg' ? 'prefix' : 'first-match';
}
