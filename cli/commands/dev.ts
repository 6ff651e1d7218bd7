import { demoBackendsIn, startDemoBackends } from '../demo-backends.js';
import { loadManifests } from '../manifests.js';
import { watchDirectory } from '../watch.js';
import { DevGateway, STATUS_FILE } from './dev-gateway.js';

export { STATUS_FILE };

export interface DevOptions {
  manifests: string;
  addressPool: string;
  stateDir: string;
  haproxyMasterSocket?: string;
  demoBackends: boolean;
  debounceMs: number;
  log: (line: string) => void;
}

/**
 * `portico dev`: a local gateway on real HAProxy, driven by a folder of manifests. Every change to
 * the folder reconciles again (after a short debounce) and prints what changed: the plan, status
 * transitions, and problems with the object and field at fault. Resolves when stopped.
 */
export async function runDev(options: DevOptions, stopSignal: AbortSignal): Promise<void> {
  const { log } = options;
  const gateway = new DevGateway({
    addressPool: options.addressPool,
    stateDir: options.stateDir,
    ...(options.haproxyMasterSocket ? { haproxyMasterSocket: options.haproxyMasterSocket } : {}),
    log,
  });

  let stopBackends = async () => {};
  let stopWatching = () => {};
  try {
    const initial = await loadManifests(options.manifests);
    if (options.demoBackends) {
      const backends = demoBackendsIn(initial.objects);
      stopBackends = await startDemoBackends(backends);
      log(
        `demo backends: ${backends.map((b) => `${b.service} on ${b.address}:${b.port}`).join(', ') || 'none'}`,
      );
    }
    await gateway.start();

    const reconcile = async () => {
      const loaded = await loadManifests(options.manifests);
      for (const p of loaded.problems) log(`error: ${p.file}: ${p.message}`);
      await gateway.sync(loaded.objects, stopSignal);
    };
    await reconcile();
    stopWatching = watchDirectory(options.manifests, options.debounceMs, () => {
      reconcile().catch((err: unknown) => log(`error: ${err instanceof Error ? err.message : String(err)}`));
    });
    log(`watching ${options.manifests} for changes; Ctrl-C stops`);
    await new Promise<void>((done) => stopSignal.addEventListener('abort', () => done(), { once: true }));
  } finally {
    stopWatching();
    await gateway.stop();
    await stopBackends();
  }
}
