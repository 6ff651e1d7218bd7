// bench/pipeline 2b: cluster → traffic as deployed, through test/e2e/local-cloud.ts (the API server, the
// forwarder, ingest over HTTP, the SQS emulator, record and reconcile on dynalite, HAProxy), for
// isolated changes and during a burst, with where an isolated change spends its time.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { LogFields } from '#logging/logger.js';
import { type LocalCloudStage, startLocalCloud } from '#test/e2e/local-cloud.js';
import { startBackend } from '#test/integration/haproxy/support.js';
import * as kubeObjects from '#test/integration/kube/support.js';
import { httpGet } from './http-probe.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** forwarder/forwarder.ts's default status pull interval. */
const FORWARDER_STATUS_POLL_MS = 5_000;

export interface ClusterPropagationOptions {
  /** Bind addresses of the Gateway (a 127.0.0.0/8 range of its own). */
  addressPool: string;
  /** The Gateway's listener port. */
  port: number;
  /** Changes measured. */
  changes: number;
  /** Isolated changes wait this long after the previous one was served (its status round trip settles). */
  quietMs: number;
  /** A change not served within this long is counted at it. */
  timeoutMs: number;
  probeIntervalMs: number;
  /** Other Services of the same Gateway whose EndpointSlices churn during a burst. */
  burstServices: number;
  /** One of them is updated this often during a burst. */
  burstEveryMs: number;
}

export interface ClusterPropagation {
  latencies: number[];
  /** Changes not served within `timeoutMs` (their latency is counted as that). */
  unserved: number;
  /**
   * Isolated changes: per change, the time spent in each leg (see STAGE_LEGS); a change whose legs
   * could not be told apart (a function ran for something else meanwhile) is left out.
   */
  legs: Record<StageLeg, number>[];
  /**
   * CPU time (user + system) of this process, which runs everything but HAProxy (the API server, the
   * forwarder, the emulators, dynalite, the functions), per change measured, quiet time included.
   */
  cpuMsPerChange: number;
  /** The burst, when there was one: EndpointSlice updates made, and reconciles run meanwhile. */
  burst?: { updates: number; seconds: number; reconciles: number };
}

/**
 * Where an isolated change spends its time, in order; `reconcile to served` ends at the first request
 * answered. The parts of record and reconcile come from the phase times of their log lines
 * (`recorded` and `reconciled`, functions/shared/phase-timer.ts).
 */
export const STAGE_LEGS = {
  'to ingest': 'API server → watch → forwarder (linger, signing) → ingest invoked',
  ingest: 'ingest (verify, validate, SendMessageBatch)',
  'to record': 'events queue → record invoked (SQS receive)',
  record: 'record (dynalite: store, index walk, dispatch mark, SendMessage)',
  'record: store': 'of which storing the object',
  'record: walk': 'finding the affected keys',
  'record: dispatch': 'the dispatch mark and SendMessage',
  'to reconcile': 'reconcile queue → reconcile invoked (SQS receive)',
  'reconcile to served': 'reconcile (dynalite reads, translate, HAProxy apply) → first 200',
  'reconcile to served: dispatch': 'of which marking the run',
  'reconcile to served: read': 'reading the bundle',
  'reconcile to served: translate': 'translating',
  'reconcile to served: provider': 'HAProxy (render, observe, plan, apply) to the first 200',
} as const;
export type StageLeg = keyof typeof STAGE_LEGS;

/** The reconcile queue's DelaySeconds as serverless.yml deploys it. */
export function deployedReconcileDelaySeconds(): number {
  const yml = parseYaml(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as {
    resources?: { Resources?: { ReconcileQueue?: { Properties?: { DelaySeconds?: number } } } };
  };
  return yml.resources?.Resources?.ReconcileQueue?.Properties?.DelaySeconds ?? 0;
}

/**
 * Cluster → served, through the forwarder and the functions on their local stand-ins, as deployed:
 * the time from the API server accepting an HTTPRoute change to the first request that sees it.
 * Isolated: each change waits until the previous one settled. With `burst`, the changes are made
 * while the EndpointSlices of `burstServices` other Services of the same Gateway are updated every
 * `burstEveryMs`: the key is queued or running when each change arrives.
 */
export async function clusterPropagation(
  o: ClusterPropagationOptions,
  burst: boolean,
): Promise<ClusterPropagation> {
  const backend = await startBackend('app');
  const route = (i: number) =>
    kubeObjects.httpRoute(
      'apps',
      'app',
      [{ name: 'web', namespace: 'apps' }],
      { name: 'app', port: 80 },
      `/v${i}`,
    );
  const churned = Array.from({ length: o.burstServices }, (_, k) => `churn-${k}`);
  const churnSlice = (k: number, n: number) =>
    kubeObjects.endpointSlice('apps', churned[k]!, `10.200.${(n >> 8) & 255}.${n & 255}`, 8080);
  const stages: Stage[] = [];
  /** The phase times of the functions' `recorded` and `reconciled` lines. */
  const phases = (msg: string, fields: LogFields = {}) => {
    if ((msg === 'recorded' || msg === 'reconciled') && fields.ms) {
      stages.push({ stage: msg, at: performance.now(), ms: fields.ms as Record<string, number> });
    }
  };
  const cloud = await startLocalCloud({
    addressPool: o.addressPool,
    reconcileDelaySeconds: deployedReconcileDelaySeconds(),
    // the forwarder's default, as deployed: a 100 ms pull keeps the status function and dynalite busy
    statusPollMs: FORWARDER_STATUS_POLL_MS,
    onStage: (stage, at) => stages.push({ stage, at }),
    functionLogger: { info: phases, warn: () => {}, error: () => {} },
    objects: [
      kubeObjects.gatewayClass(),
      kubeObjects.gateway('apps', 'web', o.port),
      route(0),
      kubeObjects.service('apps', 'app', 80),
      kubeObjects.endpointSlice('apps', 'app', '127.0.0.1', backend.port),
      ...(burst
        ? churned.flatMap((name, k) => [
            kubeObjects.httpRoute(
              'apps',
              name,
              [{ name: 'web', namespace: 'apps' }],
              { name, port: 80 },
              `/${name}`,
            ),
            kubeObjects.service('apps', name, 80),
            churnSlice(k, 0),
          ])
        : []),
    ],
  });
  const latencies: number[] = [];
  const legs: Record<StageLeg, number>[] = [];
  let unserved = 0;
  let churning = false;
  let updates = 0;
  let churn: Promise<void> = Promise.resolve();
  try {
    let address = '';
    for (const deadline = Date.now() + 30_000; !address && Date.now() < deadline; await delay(20)) {
      const gw = cloud.kube.server.get('Gateway', 'apps', 'web') as {
        status?: { addresses?: { value: string }[] };
      };
      address = gw?.status?.addresses?.[0]?.value ?? '';
    }
    if (!address) throw new Error('the Gateway got no address');
    // The burst starts once the Gateway is programmed: started with the cloud, its updates came in
    // faster than the one record poller stores them on a loaded machine, and the Gateway's first
    // reconcile waited behind that backlog past the deadline above ("the Gateway got no address").
    churning = burst;
    churn = (async () => {
      while (churning) {
        updates++;
        cloud.kube.server.apply(churnSlice(updates % o.burstServices, updates));
        await delay(o.burstEveryMs);
      }
    })();
    await delay(o.quietMs);
    const started = { at: performance.now(), updates, reconciles: cloud.reconcileSource.counters.records };
    const cpuBefore = process.cpuUsage();
    for (let i = 1; i <= o.changes; i++) {
      stages.length = 0;
      const t0 = performance.now();
      cloud.kube.server.apply(route(i));
      let served = false;
      for (;;) {
        if ((await httpGet(address, o.port, 'app.example', `/v${i}/`)) === 200) {
          served = true;
          break;
        }
        if (performance.now() - t0 > o.timeoutMs) {
          unserved++; // counted at the timeout: the figures are then lower bounds
          break;
        }
        await delay(o.probeIntervalMs);
      }
      const t1 = performance.now();
      latencies.push(t1 - t0);
      await delay(burst ? 50 + (i % 5) * 20 : o.quietMs);
      // After the quiet time: the reconcile's line is logged once its statuses are written.
      if (!burst && served) {
        const l = legsOf(stages, t0, t1);
        if (l) legs.push(l);
      }
    }
    const cpu = process.cpuUsage(cpuBefore);
    churning = false;
    await churn;
    return {
      latencies,
      cpuMsPerChange: (cpu.user + cpu.system) / 1000 / o.changes,
      unserved,
      legs,
      ...(burst
        ? {
            burst: {
              updates: updates - started.updates,
              seconds: (performance.now() - started.at) / 1000,
              reconciles: cloud.reconcileSource.counters.records - started.reconciles,
            },
          }
        : {}),
    };
  } finally {
    churning = false;
    await churn;
    await cloud.close();
    await backend.close();
  }
}

type Stage =
  | { stage: LocalCloudStage; at: number }
  | { stage: 'recorded' | 'reconciled'; at: number; ms: Record<string, number> };

/**
 * The legs of one isolated change from the functions' start and end times: the first ingest after
 * the change, the first record after that ingest, the first reconcile after that record; their parts
 * from the record's `recorded` line and the reconcile's `reconciled` line.
 */
function legsOf(stages: readonly Stage[], t0: number, served: number): Record<StageLeg, number> | undefined {
  let from = 0;
  const find = (stage: Stage['stage'], after: number) => {
    const i = stages.findIndex((s, k) => k >= from && s.stage === stage && s.at >= after);
    if (i < 0) return undefined;
    from = i + 1;
    return stages[i]!;
  };
  const next = (stage: LocalCloudStage, after: number) => find(stage, after)?.at;
  const ingestStart = next('ingest-start', t0);
  const ingestEnd = ingestStart === undefined ? undefined : next('ingest-end', ingestStart);
  const recordStart = ingestEnd === undefined ? undefined : next('record-start', ingestEnd);
  const recorded = recordStart === undefined ? undefined : find('recorded', recordStart);
  const recordEnd = recorded === undefined ? undefined : next('record-end', recorded.at);
  const reconcileStart = recordEnd === undefined ? undefined : next('reconcile-start', recordStart!);
  if (reconcileStart === undefined || reconcileStart > served) return undefined;
  const reconciled = find('reconciled', reconcileStart);
  if (!reconciled || !('ms' in recorded!) || !('ms' in reconciled)) return undefined;
  const record = recorded.ms;
  const reconcile = reconciled.ms;
  const beforeProvider = (reconcile.dispatch ?? 0) + (reconcile.read ?? 0) + (reconcile.translate ?? 0);
  return {
    'to ingest': ingestStart! - t0,
    ingest: ingestEnd! - ingestStart!,
    'to record': recordStart! - ingestEnd!,
    record: recordEnd! - recordStart!,
    'record: store': (record.parse ?? 0) + (record.store ?? 0),
    'record: walk': record.walk ?? 0,
    'record: dispatch': record.dispatch ?? 0,
    'to reconcile': Math.max(0, reconcileStart - recordEnd!),
    'reconcile to served': served - reconcileStart,
    'reconcile to served: dispatch': reconcile.dispatch ?? 0,
    'reconcile to served: read': reconcile.read ?? 0,
    'reconcile to served: translate': reconcile.translate ?? 0,
    'reconcile to served: provider': served - reconcileStart - beforeProvider,
  };
}
