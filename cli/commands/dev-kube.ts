import type { LoadBalancer } from '#core/ir/load-balancer.js';
import { readinessGateType } from '#core/readiness/gate-condition.js';
import { DEFAULT_OPTIONS } from '#core/translate/options.js';
import { ClusterSource } from '#kube/cluster-source.js';
import { KubeApiError } from '#kube/kube-api-error.js';
import { KubeHttp } from '#kube/kube-http.js';
import { loadKubeConfig } from '#kube/load-kube-config.js';
import { ReadinessGateWriter } from '#kube/readiness-gate-writer.js';
import { StatusWriter } from '#kube/status-writer.js';
import { demoBackendsIn, startDemoBackends } from '../demo-backends.js';
import { markKeptObjects } from '../invalid-status.js';
import { LastGoodObjects, objectName } from '../last-good-objects.js';
import { readinessGatesPass, releaseDeletedGates, serviceSelectors } from '../local/readiness-gates.js';
import { DEFAULT_RESYNC_INTERVAL_MS, periodicResync } from '../periodic-resync.js';
import { serialRunner } from '../serial-runner.js';
import { terminalSafe as safe } from '../terminal-text.js';
import { DevGateway } from './dev-gateway.js';

export interface DevKubeOptions {
  kubeconfig: string;
  /** A context of the kubeconfig other than its current one. */
  context?: string;
  addressPool: string;
  stateDir: string;
  haproxyMasterSocket?: string;
  haproxySlotMinimum?: number;
  /** The zone this HAProxy runs in: pools that prefer close endpoints keep other zones' as backups. */
  zone?: string;
  demoBackends: boolean;
  debounceMs: number;
  /**
   * Every this many ms every load balancer is reconciled, changed or not (drift repair); 0: never.
   * Default DEFAULT_RESYNC_INTERVAL_MS (5 minutes).
   */
  resyncIntervalMs?: number;
  log: (line: string) => void;
  /** The clock of lastTransitionTime. */
  now?: () => string;
  /** Delay before syncing again after status writes failed. */
  retryMs?: number;
  /** How often readiness gates are checked again while a gated pod waits; default 1,000 ms. */
  gateRecheckMs?: number;
}

/**
 * `portico dev --kubeconfig FILE`: the local gateway driven by a cluster. Informers list and watch
 * every kind Portico reads; each change (debounced) syncs the pipeline with all the objects, prints
 * the same report as the manifests mode, and patches the statuses back into the cluster (only those
 * that changed). An object edited into one that fails its schema keeps its last valid version, and
 * its status says why (Accepted=False, reason Invalid). Pods that carry a load balancer's readiness
 * gate get it True once HAProxy's health check passes (checked again every `gateRecheckMs` while one
 * waits). Every `resyncIntervalMs`, what drifted in HAProxy is put back. Resolves when stopped.
 */
export async function runDevKube(options: DevKubeOptions, stopSignal: AbortSignal): Promise<void> {
  const { log } = options;
  const kubeConfig = loadKubeConfig(options.kubeconfig, options.context);
  const http = new KubeHttp(kubeConfig);
  const gateway = new DevGateway({
    addressPool: options.addressPool,
    stateDir: options.stateDir,
    ...(options.haproxyMasterSocket ? { haproxyMasterSocket: options.haproxyMasterSocket } : {}),
    ...(options.haproxySlotMinimum !== undefined ? { haproxySlotMinimum: options.haproxySlotMinimum } : {}),
    ...(options.zone !== undefined ? { zone: options.zone } : {}),
    log,
  });
  let trigger = () => {};
  const source = new ClusterSource({
    kubeConfig,
    http,
    debounceMs: options.debounceMs,
    log,
    onChange: () => trigger(),
  });
  const writer = new StatusWriter({
    http,
    objects: source,
    controllerName: DEFAULT_OPTIONS.controllerName,
    now: options.now ?? (() => new Date().toISOString()),
  });

  const gateWriter = new ReadinessGateWriter({ http, now: options.now ?? (() => new Date().toISOString()) });
  let loadBalancers: readonly LoadBalancer[] = [];
  let gateRecheck: NodeJS.Timeout | undefined;
  let gatesOff = false;
  /** Load balancers that target pods (their gate type logged once); released when they are gone. */
  const gatedKeys = new Set<string>();
  const gates = serialRunner(
    async () => {
      clearTimeout(gateRecheck);
      if (gatesOff) return;
      for (const lb of loadBalancers) {
        if (gatedKeys.has(lb.key) || !lb.pools.some((p) => p.endpoints.some((e) => e.pod))) continue;
        gatedKeys.add(lb.key);
        log(`readiness gate of ${safe(lb.key)}: ${readinessGateType(lb.key)}`);
      }
      // A load balancer that targeted pods and is gone releases the pods still waiting on its gate.
      let releaseFailed = false;
      const gone = [...gatedKeys].filter((key) => !loadBalancers.some((lb) => lb.key === key));
      if (gone.length > 0) {
        const released = await releaseDeletedGates(gateWriter, gone, source.objects(), stopSignal);
        // Forgotten once released; a failed patch is tried again at the next pass.
        if (released.failed.length === 0) for (const key of gone) gatedKeys.delete(key);
        else releaseFailed = true;
        if (released.written.length)
          log(`readiness gates released: True on ${released.written.map(safe).join(', ')}`);
        for (const f of released.failed) log(`error: readiness gate of ${safe(f.pod)}: ${safe(f.message)}`);
      }
      const pass = await readinessGatesPass(
        {
          adapters: { haproxy: gateway.adapter },
          writer: gateWriter,
          selectors: () => serviceSelectors(source.objects()),
        },
        loadBalancers,
        stopSignal,
      );
      if (pass.written.length) log(`readiness gates: True on ${pass.written.map(safe).join(', ')}`);
      for (const f of pass.failed) log(`error: readiness gate of ${safe(f.pod)}: ${safe(f.message)}`);
      if ((pass.waiting > 0 || pass.failed.length > 0 || releaseFailed) && !stopSignal.aborted)
        gateRecheck = setTimeout(() => gates.request(), options.gateRecheckMs ?? 1_000);
    },
    (err) => {
      // Without the right to read Pods, gates are simply off (said once, not at every sync).
      if (err instanceof KubeApiError && err.code === 403) gatesOff = true;
      const off = gatesOff ? '; readiness gates are off (needs get/list pods and patch pods/status)' : '';
      log(`error: readiness gates: ${safe(err instanceof Error ? err.message : String(err))}${off}`);
    },
    stopSignal,
  );

  const lastGood = new LastGoodObjects();
  let stopBackends = async () => {};
  let retry: NodeJS.Timeout | undefined;
  let resync = periodicResync(0, () => {});
  try {
    log(`connecting to ${http.server}`);
    try {
      await source.start(stopSignal);
    } catch (err) {
      if (stopSignal.aborted) return;
      throw err;
    }
    log(`cluster: watching ${source.resources.map((r) => r.plural).join(', ')}`);
    if (options.demoBackends) {
      const backends = demoBackendsIn(source.objects());
      stopBackends = await startDemoBackends(backends);
      log(
        `demo backends: ${backends.map((b) => `${safe(b.service)} on ${safe(b.address)}:${b.port}`).join(', ') || 'none'}`,
      );
    }
    await gateway.start();

    const reconcile = async () => {
      clearTimeout(retry);
      const { objects, invalid } = lastGood.select(source.objects(), (o) => o);
      const kept = invalid.filter((i) => i.kept);
      for (const k of kept)
        log(
          `error: ${safe(objectName(k))} ${safe(k.field)}: ${safe(k.message)}; keeping its last valid version until it is fixed`,
        );
      const result = await gateway.sync(objects, stopSignal, { resync: resync.take() });
      if (stopSignal.aborted) return;
      loadBalancers = result.loadBalancers;
      gates.request();
      const statuses = markKeptObjects(
        result.statuses,
        kept.map(({ entry, kind, namespace, name, field, message }) => ({
          kind,
          ...(namespace !== undefined ? { namespace } : {}),
          name,
          ...(entry.metadata.generation !== undefined ? { generation: entry.metadata.generation } : {}),
          field,
          message,
        })),
      );
      const report = await writer.write(statuses, stopSignal);
      if (report.written.length) log(`status: wrote ${report.written.map(safe).join(', ')}`);
      for (const f of report.failed) log(`error: status of ${safe(f.object)}: ${safe(f.message)}`);
      if (report.failed.length && !stopSignal.aborted)
        retry = setTimeout(() => trigger(), options.retryMs ?? 2_000);
    };
    const runner = serialRunner(
      reconcile,
      (err) => log(`error: ${safe(err instanceof Error ? err.message : String(err))}`),
      stopSignal,
    );
    trigger = runner.request;
    resync = periodicResync(options.resyncIntervalMs ?? DEFAULT_RESYNC_INTERVAL_MS, runner.request);
    trigger();
    await runner.idle();
    log(`watching the cluster for changes; Ctrl-C stops`);
    await new Promise<void>((done) => {
      if (stopSignal.aborted) done();
      stopSignal.addEventListener('abort', () => done(), { once: true });
    });
    await runner.idle();
    await gates.idle();
  } finally {
    clearTimeout(retry);
    clearTimeout(gateRecheck);
    resync.stop();
    await source.stop();
    await gateway.stop();
    await stopBackends();
  }
}
