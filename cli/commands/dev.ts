import { demoBackendsIn, startDemoBackends } from '../demo-backends.js';
import { objectName } from '../last-good-objects.js';
import { ManifestFolder } from '../manifest-folder.js';
import { problemText } from '../manifests.js';
import { DEFAULT_RESYNC_INTERVAL_MS, periodicResync } from '../periodic-resync.js';
import { serialRunner } from '../serial-runner.js';
import { terminalSafe as safe } from '../terminal-text.js';
import { watchDirectory } from '../watch.js';
import { DevGateway, STATUS_FILE } from './dev-gateway.js';

export { STATUS_FILE };

export interface DevOptions {
  manifests: string;
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
}

/**
 * `portico dev`: a local gateway on real HAProxy, driven by a folder of manifests. Every change to
 * the folder reconciles again (after a short debounce) and prints what changed: the plan, status
 * transitions, and problems with the file, line and object and field at fault. A file or object
 * that turns bad keeps its last good version (see ManifestFolder). Every `resyncIntervalMs`, what
 * drifted in HAProxy is put back. Resolves when stopped.
 */
export async function runDev(options: DevOptions, stopSignal: AbortSignal): Promise<void> {
  const { log } = options;
  const gateway = new DevGateway({
    addressPool: options.addressPool,
    stateDir: options.stateDir,
    ...(options.haproxyMasterSocket ? { haproxyMasterSocket: options.haproxyMasterSocket } : {}),
    ...(options.haproxySlotMinimum !== undefined ? { haproxySlotMinimum: options.haproxySlotMinimum } : {}),
    ...(options.zone !== undefined ? { zone: options.zone } : {}),
    log,
  });

  const folder = new ManifestFolder(options.manifests);
  let stopBackends = async () => {};
  let stopWatching = () => {};
  let resync = periodicResync(0, () => {});
  try {
    const initial = await folder.load();
    if (options.demoBackends) {
      const backends = demoBackendsIn(initial.objects);
      stopBackends = await startDemoBackends(backends);
      log(
        `demo backends: ${backends.map((b) => `${safe(b.service)} on ${safe(b.address)}:${b.port}`).join(', ') || 'none'}`,
      );
    }
    await gateway.start();

    const reconcile = async () => {
      const loaded = await folder.load();
      for (const p of loaded.errors) log(`error: ${problemText(p)}`);
      for (const p of loaded.warnings) log(`warning: ${problemText(p)}`);
      for (const file of loaded.fixed) log(`fixed: ${safe(file)}`);
      // The folder reported its invalid objects with their file and line: not again without them.
      await gateway.sync(loaded.objects, stopSignal, {
        reported: (n) => n.code === 'InvalidObject' && loaded.invalid.has(objectName(n.source)),
        resync: resync.take(),
      });
    };
    const runner = serialRunner(
      reconcile,
      (err) => log(`error: ${safe(err instanceof Error ? err.message : String(err))}`),
      stopSignal,
    );
    // Watching from before the first sync: an edit made during it is not missed.
    stopWatching = watchDirectory(options.manifests, options.debounceMs, runner.request);
    resync = periodicResync(options.resyncIntervalMs ?? DEFAULT_RESYNC_INTERVAL_MS, runner.request);
    runner.request();
    await runner.idle();
    log(`watching ${safe(options.manifests)} for changes; Ctrl-C stops`);
    await new Promise<void>((done) => {
      if (stopSignal.aborted) done();
      stopSignal.addEventListener('abort', () => done(), { once: true });
    });
    stopWatching();
    await runner.idle();
  } finally {
    stopWatching();
    resync.stop();
    await gateway.stop();
    await stopBackends();
  }
}
