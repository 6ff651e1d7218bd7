import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import type { Plan, Resource } from '#core/plan/types.js';
import {
  AbortedError,
  type LbStatus,
  type LoadBalancerAdapter,
  type Observed,
  type TargetHealthReport,
} from '../types.js';
import { type Applied, applyHaproxyPlan, createDesiredFilesCache, desiredFiles } from './apply.js';
import { HAPROXY_CAPABILITIES } from './capabilities.js';
import { createHttpRouteMemo } from './config/http-frontend.js';
import { ADMIN_SOCKET, type HaproxyGlobalSettings } from './config/materialize.js';
import { ReadBackCache } from './config/read-back-cache.js';
import { haproxyDiffSpec } from './diff-spec.js';
import { checkSlotMinimum, HAPROXY_ADAPTER, type HaproxyKinds } from './model.js';
import { observeHaproxy, observeRecorded } from './observe.js';
import { renderHaproxy, renderHaproxyModel } from './render.js';
import {
  type ApplyResult,
  applyHAProxyChange,
  ConfigStore,
  type HAProxyDesired,
  HAProxyProcess,
  HAProxyUnavailableError,
  RuntimeClient,
} from './runtime/index.js';
import { readLiveState } from './runtime/live-state.js';
import { parsePool } from './state/address-pool.js';
import { ConfirmedRecord, stampOf } from './state/confirmed-record.js';
import { loadSavedState, StateWriter } from './state/saved-state.js';
import { type SeenDown, targetHealthOf } from './target-health.js';

export interface HaproxyAdapterOptions {
  /** Absolute directory for haproxy.cfg, maps, certificates, sockets and Portico's own state. */
  stateDir: string;
  /** Addresses to bind load balancers to (see AddressPool). */
  addressPool: string;
  /** Use an HAProxy someone else runs (its master socket) instead of starting one. */
  attach?: { masterSocket: string };
  /** Every line HAProxy prints. */
  onOutput?: (line: string) => void;
  /**
   * Server slots every backend has at least (default 8). Each slot costs HAProxy one file
   * descriptor; 5,000 one-endpoint Services need a minimum of 1 or 2 under a 20,000 FD limit.
   */
  slotMinimum?: number;
  /**
   * The zone this HAProxy runs in (a `topology.kubernetes.io/zone` value). Pools that prefer close
   * endpoints (Service `trafficDistribution: PreferClose`, topology hints) then send traffic to this
   * zone's endpoints and keep the others as backup servers. Absent = every endpoint alike, reported.
   */
  zone?: string;
  /** HAProxy's global settings (maxconn, fd-hard-limit, timeouts...). */
  global?: HaproxyGlobalSettings;
}

export interface HaproxyAdapter extends LoadBalancerAdapter<HaproxyKinds> {
  /** Starts (or attaches to) HAProxy with the last applied configuration. */
  start(): Promise<void>;
  /** Stops HAProxy if this adapter started it; leaves an attached one running. */
  stop(): Promise<void>;
  /** How the last apply reached HAProxy (runtime API or reload), for logs and benchmarks. */
  readonly lastApply: ApplyResult | undefined;
  readonly counters: { reloads: number; runtimeApplies: number; applies: number };
  /** Observes answered from the record of the last apply, without reading files or the worker. */
  readonly recordedObserves: number;
}

/**
 * The HAProxy adapter: one HAProxy process (master-worker) serves every load balancer, each on its
 * own bind address. render is pure (render.ts), observe reads what HAProxy runs (observe.ts), apply
 * allocates addresses and programs HAProxy by the runtime API or a validated reload (apply.ts).
 */
export function createHaproxyAdapter(options: HaproxyAdapterOptions): HaproxyAdapter {
  const stateDir = options.stateDir;
  const pool = parsePool(options.addressPool);
  const slotMinimum = options.slotMinimum === undefined ? undefined : checkSlotMinimum(options.slotMinimum);
  const global = options.global;
  const store = new ConfigStore(stateDir);
  const runtime = new RuntimeClient(join(stateDir, ADMIN_SOCKET));
  let state = loadSavedState(stateDir);
  const stateWriter = new StateWriter(stateDir);
  const readBack = new ReadBackCache();
  const parts = createDesiredFilesCache();
  /** What HAProxy runs as of the last start or apply; undefined after an error (state/confirmed-record.ts). */
  let record: ConfirmedRecord | undefined;
  /** Whether the last observe answered from the record, and for which key: its apply then plans from it. */
  let lastObserve: { key: LbKey; recorded: boolean } | undefined;
  /** The worker's names of its maps, by file path: learned once, forgotten with the record. */
  const mapRefs = new Map<string, string>();
  // A Gateway's routes compiled at its last render: a change re-compiles only the routes it touched.
  const routeMemo = createHttpRouteMemo();
  /** The worker's map entries the last observe read, for the apply of the same key right after. */
  let observedMaps: { key: LbKey; maps: ReadonlyMap<string, [string, string][]> } | undefined;
  let process: HAProxyProcess | undefined;
  let lastApply: ApplyResult | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const counters = { reloads: 0, runtimeApplies: 0, applies: 0 };
  let recordedObserves = 0;
  const seenDown: SeenDown = new Map();

  async function start(): Promise<void> {
    if (process) return;
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await store.recover();
    const { desired } = desiredFiles(state, stateDir, global, parts);
    if (options.attach) {
      process = await HAProxyProcess.attach({
        masterSocket: options.attach.masterSocket,
        configDir: stateDir,
      });
      const live = await readLiveState(store, runtime).catch((err: unknown) => {
        if (err instanceof HAProxyUnavailableError) return undefined;
        throw err;
      });
      await applyHAProxyChange(live, desired, { store, process, runtime });
    } else {
      await store.writeLive(desired.files);
      await store.markApplied();
      process = await HAProxyProcess.start({
        stateDir,
        ...(options.onOutput ? { onOutput: options.onOutput } : {}),
      });
    }
    record = ConfirmedRecord.of(stateDir, desired, await workerGeneration());
  }

  /** After an error: every load balancer's next observe reads in full. */
  function forgetRecord(): void {
    record = undefined;
    mapRefs.clear();
  }

  /**
   * Which worker runs: an attached HAProxy's pids and reload count (someone else may reload it);
   * undefined for one this adapter started (only it reloads that one, and records each time).
   */
  async function workerGeneration(signal?: AbortSignal): Promise<string | undefined> {
    if (!process || process.owned) return undefined;
    const info = await process.master.showProc(signal ? { signal } : {});
    return [info.master.pid, info.master.reloads, ...info.workers.map((w) => w.pid)].join(' ');
  }

  /** The record answers for `key` when it read it in full before and the cheap checks hold. */
  async function recordAnswers(
    key: LbKey,
    desired: readonly Resource<HaproxyKinds>[],
    signal: AbortSignal,
  ): Promise<ConfirmedRecord | undefined> {
    const r = record;
    if (!r?.verified.has(key)) return undefined;
    if ((await store.pending()) !== undefined) return undefined;
    if (!r.filesUnchanged(store.configFile, [...(state.resources[key] ?? []), ...desired])) return undefined;
    if (r.worker !== undefined && (await workerGeneration(signal)) !== r.worker) return undefined;
    return r;
  }

  /** A full read's files: stamped before they are read, so one that holds what the record says is confirmed. */
  async function readConfirming(rel: string): Promise<string | undefined> {
    const stamp = stampOf(join(stateDir, rel));
    const content = await readFile(join(stateDir, rel), 'utf8').catch(() => undefined);
    record?.confirmFile(rel, content, stamp);
    return content;
  }

  /** One start, observe or apply at a time: they all read or rewrite the same HAProxy. */
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
    get recordedObserves() {
      return recordedObserves;
    },
    start: () => serialised(start),
    async stop() {
      await queue;
      if (process?.owned) await process.stop();
      process = undefined;
    },

    render: (lb: LoadBalancer) =>
      renderHaproxy(lb, {
        pool,
        routeMemo,
        ...(slotMinimum !== undefined ? { slotMinimum } : {}),
        ...(options.zone !== undefined ? { zone: options.zone } : {}),
      }),

    observe(key: LbKey, { signal, desired, readBack: depth }): Promise<Observed<HaproxyKinds>> {
      return serialised(async () => {
        if (signal.aborted) throw new AbortedError();
        await start();
        lastObserve = undefined;
        observedMaps = undefined;
        try {
          const recorded = depth === 'full' ? undefined : await recordAnswers(key, desired, signal);
          if (recorded) {
            const observed = await observeRecorded(
              { stateDir, state, readBack },
              recorded.running,
              store.configFile,
              key,
              desired,
            );
            lastObserve = { key, recorded: true };
            recordedObserves++;
            return observed;
          }
          const runningMaps = new Map<string, [string, string][]>();
          const observed = await observeHaproxy(
            { stateDir, store, runtime, state, readBack, runningMaps, readFile: readConfirming },
            key,
            desired,
            signal,
          );
          observedMaps = { key, maps: runningMaps };
          lastObserve = { key, recorded: false };
          return observed;
        } catch (err) {
          forgetRecord();
          throw err;
        }
      });
    },

    /** The check state of the load balancer's server slots: one `show servers state`. */
    targetHealth(lb: LoadBalancer, { signal }): Promise<TargetHealthReport> {
      return serialised(async () => {
        if (signal.aborted) throw new AbortedError();
        await start();
        const ctx = { pool, ...(slotMinimum !== undefined ? { slotMinimum } : {}) };
        const backends = renderHaproxyModel(lb, ctx).model.backends;
        try {
          const servers = await runtime.showServersState(undefined, { signal });
          return { targets: targetHealthOf(backends, servers, seenDown), complete: true };
        } catch (err) {
          // A worker between reloads: nothing is known, nothing is concluded.
          if (err instanceof HAProxyUnavailableError) return { targets: [], complete: false };
          throw err;
        }
      });
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
        // What observe read of this key's maps, if it was the last thing done: nothing ran between.
        const runningMaps = observedMaps?.key === plan.lbKey ? observedMaps.maps : undefined;
        observedMaps = undefined;
        // Observe answered from the record just before, nothing ran between: the record is what runs.
        const fromRecord = lastObserve?.key === plan.lbKey && lastObserve.recorded ? record : undefined;
        lastObserve = undefined;
        let applied: Applied;
        try {
          applied = await applyHaproxyPlan(
            {
              stateDir,
              store,
              runtime,
              process: process!,
              pool,
              state,
              stateWriter,
              cache: parts,
              ...(global ? { global } : {}),
              ...(runningMaps ? { runningMaps } : {}),
              mapRefs,
              ...(fromRecord ? { running: fromRecord.running } : {}),
            },
            plan,
            signal,
          );
        } catch (err) {
          forgetRecord();
          throw err;
        }
        state = applied.state;
        // A load balancer that is gone keeps nothing in the render's memo either.
        if (!state.resources[plan.lbKey]?.length) routeMemo.forget(plan.lbKey);
        lastApply = applied.result;
        record = await recordAfter(plan.lbKey, applied.desired, applied.result, fromRecord);
        counters.applies++;
        if (lastApply.reloaded) counters.reloads++;
        if (lastApply.path === 'runtime') counters.runtimeApplies++;
        return applied.status;
      });
    },
  };

  /**
   * The record after a successful apply of `key`: what HAProxy runs now. After a fallback reload
   * nothing is assumed (the next observes read in full); after a no-op plan the record stands, and
   * the key, just read in full or from the record, can be answered for.
   */
  async function recordAfter(
    key: LbKey,
    desired: HAProxyDesired | undefined,
    result: ApplyResult,
    fromRecord: ConfirmedRecord | undefined,
  ): Promise<ConfirmedRecord | undefined> {
    if (result.fellBack || result.reloaded) mapRefs.clear();
    if (result.fellBack) return undefined;
    const previous = record;
    let next: ConfirmedRecord | undefined;
    if (!desired) next = previous;
    else {
      // A reload, or an apply planned from a full read (which may follow someone else's reload): the
      // worker as it is now.
      const worker =
        result.reloaded || !fromRecord ? await workerGeneration().catch(() => undefined) : previous?.worker;
      // From the record, only the files written changed; after a full read, every file is stamped.
      next =
        fromRecord && previous === fromRecord
          ? previous.after(desired, result.written, worker)
          : ConfirmedRecord.of(stateDir, desired, worker);
      if (previous && !fromRecord) for (const k of previous.verified) next.verified.add(k);
    }
    next?.verified.add(key);
    return next;
  }
}
