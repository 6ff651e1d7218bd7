import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { createHaproxyAdapter } from '#adapters/haproxy/adapter.js';
import type { LoadBalancerAdapter } from '#adapters/types.js';
import type { ObjectStatus } from '#core/status/types.js';
import { demoBackendsIn, startDemoBackends } from '../demo-backends.js';
import { LocalPipeline, type SyncResult } from '../local/local-pipeline.js';
import { loadManifests } from '../manifests.js';
import { noticeLine, statusTransitions } from '../status-report.js';
import { watchDirectory } from '../watch.js';

export interface DevOptions {
  manifests: string;
  addressPool: string;
  stateDir: string;
  demoBackends: boolean;
  debounceMs: number;
  log: (line: string) => void;
}

export const STATUS_FILE = 'status.yaml';

/**
 * `portico dev`: a local gateway on real HAProxy, driven by a folder of manifests. Every change to
 * the folder reconciles again (after a short debounce) and prints what changed: the plan, status
 * transitions, and problems with the object and field at fault. Resolves when stopped.
 */
export async function runDev(options: DevOptions, stopSignal: AbortSignal): Promise<void> {
  const { log } = options;
  const stateDir = resolve(options.stateDir);
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const adapter = createHaproxyAdapter({
    stateDir: join(stateDir, 'haproxy'),
    addressPool: options.addressPool,
    onOutput: (line) => {
      // Reloads make HAProxy log every proxy it stops at WARNING level: only alerts matter here.
      if (line.includes('[ALERT]')) log(`haproxy: ${line}`);
    },
  });
  const pipeline = new LocalPipeline({
    adapters: { haproxy: adapter as LoadBalancerAdapter<unknown> },
    onEvent: (e) => {
      if (e.type === 'plan') log(e.text.trimEnd());
      else if (e.type === 'error') log(`error: ${e.key}: ${e.message}`);
      else log(`held: ${e.key} stays as it is: ${e.reason}`);
    },
  });

  let stopBackends = async () => {};
  let stopWatching = () => {};
  let previous: ObjectStatus[] = [];
  let first = true;
  try {
    const initial = await loadManifests(options.manifests);
    if (options.demoBackends) {
      const backends = demoBackendsIn(initial.objects);
      stopBackends = await startDemoBackends(backends);
      log(
        `demo backends: ${backends.map((b) => `${b.service} on ${b.address}:${b.port}`).join(', ') || 'none'}`,
      );
    }
    await adapter.start();

    const reconcile = async () => {
      const loaded = await loadManifests(options.manifests);
      for (const p of loaded.problems) log(`error: ${p.file}: ${p.message}`);
      const result = await pipeline.sync(loaded.objects, stopSignal);
      for (const n of result.notices) if (n.severity !== 'info') log(noticeLine(n));
      for (const line of statusTransitions(previous, result.statuses)) log(line);
      previous = result.statuses;
      await writeFile(join(stateDir, STATUS_FILE), stringify({ items: result.statuses }), { mode: 0o600 });
      if (first) {
        first = false;
        printUrls(result, log);
      }
    };
    await reconcile();
    stopWatching = watchDirectory(options.manifests, options.debounceMs, () => {
      reconcile().catch((err: unknown) => log(`error: ${err instanceof Error ? err.message : String(err)}`));
    });
    log(`watching ${options.manifests} for changes; Ctrl-C stops`);
    await new Promise<void>((done) => stopSignal.addEventListener('abort', () => done(), { once: true }));
  } finally {
    stopWatching();
    await adapter.stop();
    await stopBackends();
  }
}

/** What to try, from the addresses the load balancers got. */
function printUrls(result: SyncResult, log: (line: string) => void): void {
  const lines: string[] = [];
  for (const lb of result.loadBalancers) {
    const status = result.statuses.find(
      (s) => s.loadBalancers.length === 1 && s.loadBalancers[0] === lb.key && s.kind === lb.source.kind,
    );
    const st = status?.status as
      | { addresses?: { value: string }[]; loadBalancer?: { ingress?: { ip?: string }[] } }
      | undefined;
    const address = st?.addresses?.[0]?.value ?? st?.loadBalancer?.ingress?.[0]?.ip;
    if (!address) continue;
    for (const l of lb.listeners) {
      const hosts = [
        ...new Set(l.routes.flatMap((r) => (r.hostname && !r.hostname.startsWith('*') ? [r.hostname] : []))),
      ];
      const scheme =
        l.protocol === 'HTTP' ? 'http' : l.protocol === 'HTTPS' ? 'https' : l.protocol.toLowerCase();
      const target = `${scheme}://${address}:${l.port}`;
      lines.push(`  ${lb.source.kind} ${lb.source.namespace}/${lb.source.name}: ${target}/`);
      const paths = [
        ...new Set(
          l.routes.flatMap((r) =>
            r.match.path && r.match.path.type !== 'RegularExpression' ? [r.match.path.value] : [],
          ),
        ),
      ];
      const host = hosts[0] ? `-H 'Host: ${hosts[0]}' ` : '';
      for (const path of paths.slice(0, 4)) lines.push(`    curl -i ${host}${target}${path}`);
    }
  }
  if (lines.length) log(`try:\n${lines.join('\n')}`);
}
