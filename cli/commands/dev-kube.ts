import { DEFAULT_OPTIONS } from '#core/translate/options.js';
import { ClusterSource } from '#kube/cluster-source.js';
import { KubeHttp } from '#kube/kube-http.js';
import { loadKubeConfig } from '#kube/load-kube-config.js';
import { StatusWriter } from '#kube/status-writer.js';
import { demoBackendsIn, startDemoBackends } from '../demo-backends.js';
import { markKeptObjects } from '../invalid-status.js';
import { LastGoodObjects, objectName } from '../last-good-objects.js';
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
}

/**
 * `portico dev --kubeconfig FILE`: the local gateway driven by a cluster. Informers list and watch
 * every kind Portico reads; each change (debounced) syncs the pipeline with all the objects, prints
 * the same report as the manifests mode, and patches the statuses back into the cluster (only those
 * that changed). An object edited into one that fails its schema keeps its last valid version, and
 * its status says why (Accepted=False, reason Invalid). Every `resyncIntervalMs`, what drifted in
 * HAProxy is put back. Resolves when stopped.
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
  } finally {
    clearTimeout(retry);
    resync.stop();
    await source.stop();
    await gateway.stop();
    await stopBackends();
  }
}
