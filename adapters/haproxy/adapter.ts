import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import { desiredOf } from '#core/plan/desired-of.js';
import type { DesiredResource, ObservedResource, Plan } from '#core/plan/types.js';
import {
  AbortedError,
  InvalidConfigError,
  type LbStatus,
  type LoadBalancerAdapter,
  type Observed,
} from '../types.js';
import { AddressPool } from './address-pool.js';
import { HAPROXY_CAPABILITIES } from './capabilities.js';
import { haproxyDiffSpec } from './diff-spec.js';
import { ADMIN_SOCKET, materialize, type SlotAssignments } from './materialize.js';
import { HAPROXY_ADAPTER, type HaproxyKinds, mapPath } from './model.js';
import { modelsFromResources, renderHaproxy } from './render.js';
import { writeFileAtomic } from './runtime/atomic-write.js';
import {
  type ApplyResult,
  applyHAProxyChange,
  ConfigStore,
  HAProxyConfigError,
  type HAProxyDesired,
  HAProxyProcess,
  RuntimeClient,
} from './runtime/index.js';
import { serverName } from './server.js';
import { assignSlots, type SlotAssignment } from './slots.js';

export interface HaproxyAdapterOptions {
  /** Absolute directory for haproxy.cfg, maps, certificates, sockets and Portico's own state. */
  stateDir: string;
  /** Addresses to bind load balancers to (see AddressPool). */
  addressPool: string;
  /** Use an HAProxy someone else runs (its master socket) instead of starting one. */
  attach?: { masterSocket: string };
  /** Every line HAProxy prints. */
  onOutput?: (line: string) => void;
}

/** What the adapter remembers across restarts, next to the files HAProxy reads. */
interface SavedState {
  addresses: Record<LbKey, string>;
  resources: Record<LbKey, DesiredResource<HaproxyKinds>[]>;
  slots: Record<string, SlotAssignment>;
}

export interface HaproxyAdapter extends LoadBalancerAdapter<HaproxyKinds> {
  /** Starts (or attaches to) HAProxy with the last applied configuration. */
  start(): Promise<void>;
  /** Stops HAProxy if this adapter started it; leaves an attached one running. */
  stop(): Promise<void>;
  /** How the last apply reached HAProxy (runtime API or reload), for logs and benchmarks. */
  readonly lastApply: ApplyResult | undefined;
  readonly counters: { reloads: number; runtimeApplies: number; applies: number };
}

const STATE_FILE = 'portico-state.json';

/**
 * The HAProxy adapter: one HAProxy process (master-worker) serves every load balancer, each on its
 * own bind address. Files on disk are the source of truth; endpoint and map changes go through the
 * runtime API without a reload, anything else through a validated reload with rollback.
 */
export function createHaproxyAdapter(options: HaproxyAdapterOptions): HaproxyAdapter {
  const stateDir = options.stateDir;
  const store = new ConfigStore(stateDir);
  const runtime = new RuntimeClient(join(stateDir, ADMIN_SOCKET));
  // Loaded up front: render (synchronous) allocates addresses from the pool the saved state fills.
  let state = loadState(stateDir);
  const pool = new AddressPool(options.addressPool, state.addresses);
  let process: HAProxyProcess | undefined;
  let applied: HAProxyDesired | undefined;
  let lastApply: ApplyResult | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const counters = { reloads: 0, runtimeApplies: 0, applies: 0 };

  function desiredFor(
    resources: SavedState['resources'],
    slots: SavedState['slots'],
  ): {
    desired: HAProxyDesired;
    slots: SavedState['slots'];
  } {
    // Slots only grow (see diffSpec): a backend keeps the slot count it had, and the config must
    // render exactly the slots described here, or the runtime path would see a slot missing from
    // haproxy.cfg and reload (and the reload would then drop the free slots).
    const models = modelsFromResources(Object.values(resources).flat()).map((m) => ({
      ...m,
      backends: m.backends.map((b) => {
        const count = Math.max(b.slots, slots[b.name]?.slots.length ?? 0);
        return count === b.slots ? b : { ...b, slots: count };
      }),
    }));
    const assignments: Record<string, SlotAssignment> = {};
    const backends: HAProxyDesired['backends'][number][] = [];
    for (const model of models) {
      for (const b of model.backends) {
        const previous = slots[b.name];
        const count = b.slots;
        const assignment = assignSlots(previous, b.endpoints, count);
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
    const { files } = materialize(models, assignments as SlotAssignments, { stateDir });
    const maps = models.flatMap((m) =>
      m.maps.map((map) => ({
        path: mapPath(map.name),
        entries: map.entries.map((e) => [e.key, e.value] as const),
      })),
    );
    return { desired: { files, backends, maps }, slots: assignments };
  }

  async function saveState(): Promise<void> {
    await writeFileAtomic(join(stateDir, STATE_FILE), `${JSON.stringify(state)}\n`, 0o600);
  }

  async function start(): Promise<void> {
    if (process) return;
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await store.recover();
    const { desired } = desiredFor(state.resources, state.slots);
    if (options.attach) {
      process = await HAProxyProcess.attach({
        masterSocket: options.attach.masterSocket,
        configDir: stateDir,
      });
      await applyHAProxyChange(undefined, desired, { store, process, runtime });
    } else {
      await store.writeLive(desired.files);
      await store.markApplied();
      process = await HAProxyProcess.start({
        stateDir,
        ...(options.onOutput ? { onOutput: options.onOutput } : {}),
      });
    }
    applied = desired;
  }

  /** One apply at a time: they all rewrite the same HAProxy. */
  function serialised<T>(f: () => Promise<T>): Promise<T> {
    const run = queue.then(f, f);
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    name: HAPROXY_ADAPTER,
    diffSpec: haproxyDiffSpec,
    capabilities: () => HAPROXY_CAPABILITIES,
    get lastApply() {
      return lastApply;
    },
    counters,
    start: () => serialised(start),
    async stop() {
      await queue;
      if (process?.owned) await process.stop();
      process = undefined;
    },

    render(lb: LoadBalancer) {
      const requested = lb.requestedAddresses.filter((a) => a.type === 'IPAddress').map((a) => a.value);
      return renderHaproxy(lb, { address: pool.addressFor(lb.key, requested) });
    },

    async observe(key: LbKey, { signal }): Promise<Observed<HaproxyKinds>> {
      if (signal.aborted) throw new AbortedError();
      await serialised(start);
      const resources: ObservedResource<HaproxyKinds>[] = (state.resources[key] ?? []).map((r) => ({
        ...r,
        owned: true,
      }));
      return { resources, complete: true };
    },

    /** The keys the saved state holds resources for: everything in it is Portico's own. */
    async listOwnedKeys(cluster: string, { signal }) {
      if (signal.aborted) throw new AbortedError();
      const keys = Object.keys(state.resources).filter(
        (k) => parseLbKey(k)?.cluster === cluster && (state.resources[k]?.length ?? 0) > 0,
      );
      return { keys: keys.sort(), complete: true };
    },

    apply(plan: Plan<HaproxyKinds>, { signal }): Promise<LbStatus> {
      return serialised(async () => {
        if (signal.aborted) throw new AbortedError();
        await start();
        const key = plan.lbKey;
        const byAddress = new Map((state.resources[key] ?? []).map((r) => [r.address, r]));
        for (const c of plan.changes) {
          if (c.action === 'delete') byAddress.delete(c.address);
          else byAddress.set(c.address, desiredOf(c));
        }
        const resources = { ...state.resources };
        if (byAddress.size > 0) resources[key] = [...byAddress.values()];
        else delete resources[key];
        const next = desiredFor(resources, state.slots);
        try {
          lastApply = await applyHAProxyChange(applied, next.desired, {
            store,
            process: process!,
            runtime,
            signal,
          });
        } catch (err) {
          if (err instanceof HAProxyConfigError) throw new InvalidConfigError(err.message);
          throw err;
        }
        counters.applies++;
        if (lastApply.reloaded) counters.reloads++;
        if (lastApply.path === 'runtime') counters.runtimeApplies++;
        applied = next.desired;
        if (!resources[key]) pool.release(key);
        state = { resources, slots: next.slots, addresses: pool.assigned() };
        await saveState();
        const address = state.addresses[key];
        return {
          key,
          addresses: address ? [{ type: 'IPAddress', value: address }] : [],
          programmed: true,
        };
      });
    },
  };
}

function loadState(stateDir: string): SavedState {
  try {
    return JSON.parse(readFileSync(join(stateDir, STATE_FILE), 'utf8')) as SavedState;
  } catch {
    return { addresses: {}, resources: {}, slots: {} };
  }
}
