import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import type { ObjectStatus } from '#core/status/types.js';
import type { Notice } from '#core/translate/notice.js';
import type { TranslateOptions } from '#core/translate/options.js';
import { LocalPipeline, type SyncResult } from '../local/local-pipeline.js';
import { STATUS_FILE } from '../status-file.js';
import { noticeLine, statusTransitions } from '../status-report.js';
import { terminalSafe as safe, terminalLines } from '../terminal-text.js';

export interface DevGatewayOptions {
  addressPool: string;
  stateDir: string;
  /** Attach to an HAProxy someone else runs, by its master socket, instead of starting one. */
  haproxyMasterSocket?: string;
  /** Server slots every HAProxy backend has at least (the adapter's slotMinimum, 1..1024). */
  haproxySlotMinimum?: number;
  /** The zone this HAProxy runs in (the adapter's `zone`): other zones' endpoints become backup servers. */
  zone?: string;
  log: (line: string) => void;
  translateOptions?: Partial<TranslateOptions>;
}

export { STATUS_FILE };

/**
 * What both `portico dev` sources share: the local pipeline on the HAProxy adapter, and what a person
 * sees of each sync (plans, problems, status transitions, the URLs to try once, and the status file
 * `portico status` prints). The source (a manifests folder or a cluster) only hands it objects.
 */
export class DevGateway {
  readonly adapter: HaproxyAdapter;
  readonly pipeline: LocalPipeline;
  readonly stateDir: string;
  readonly #log: (line: string) => void;
  #previous: ObjectStatus[] = [];
  #first = true;

  constructor(options: DevGatewayOptions) {
    const { log } = options;
    this.#log = log;
    this.stateDir = resolve(options.stateDir);
    this.adapter = createHaproxyAdapter({
      stateDir: join(this.stateDir, 'haproxy'),
      addressPool: options.addressPool,
      ...(options.haproxyMasterSocket ? { attach: { masterSocket: options.haproxyMasterSocket } } : {}),
      ...(options.haproxySlotMinimum !== undefined ? { slotMinimum: options.haproxySlotMinimum } : {}),
      ...(options.zone !== undefined ? { zone: options.zone } : {}),
      onOutput: (line) => {
        // Reloads make HAProxy log every proxy it stops at WARNING level: only alerts matter here.
        if (line.includes('[ALERT]')) log(`haproxy: ${safe(line)}`);
      },
    });
    this.pipeline = new LocalPipeline({
      adapters: { haproxy: this.adapter },
      ...(options.translateOptions ? { translateOptions: options.translateOptions } : {}),
      onEvent: (e) => {
        if (e.type === 'plan') log(terminalLines(e.text.trimEnd()));
        else if (e.type === 'error') log(`error: ${safe(e.key)}: ${safe(e.message)}`);
        else log(`held: ${safe(e.key)} stays as it is: ${safe(e.reason)}`);
      },
    });
  }

  async start(): Promise<void> {
    await mkdir(this.stateDir, { recursive: true, mode: 0o700 });
    await this.adapter.start();
  }

  async stop(): Promise<void> {
    await this.adapter.stop();
  }

  /**
   * Reconciles towards `objects` and reports what changed. `reported` tells the notices the source
   * reported already, in its own words (a manifests folder gives the file and line of a bad object).
   * `resync` visits every load balancer, changed or not, and puts back what drifted in HAProxy.
   */
  async sync(
    objects: readonly unknown[],
    signal: AbortSignal,
    options: { reported?: (notice: Notice) => boolean; resync?: boolean } = {},
  ): Promise<SyncResult> {
    const reported = options.reported ?? (() => false);
    const result = await this.pipeline.sync(objects, signal, { resync: options.resync ?? false });
    // Nothing changed (the pipeline hands back the same statuses): nothing to report or write.
    if (result.statuses === this.#previous && !this.#first) return result;
    for (const n of result.notices) if (n.severity !== 'info' && !reported(n)) this.#log(noticeLine(n));
    for (const line of statusTransitions(this.#previous, result.statuses)) this.#log(line);
    this.#previous = result.statuses;
    await writeFile(join(this.stateDir, STATUS_FILE), stringify({ items: result.statuses }), { mode: 0o600 });
    if (this.#first) {
      this.#first = false;
      printUrls(result, this.#log);
    }
    return result;
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
      const target = `${scheme}://${safe(address)}:${l.port}`;
      lines.push(
        `  ${safe(lb.source.kind)} ${safe(lb.source.namespace)}/${safe(lb.source.name)}: ${target}/`,
      );
      const paths = [
        ...new Set(
          l.routes.flatMap((r) =>
            r.match.path && r.match.path.type !== 'RegularExpression' ? [r.match.path.value] : [],
          ),
        ),
      ];
      const host = hosts[0] ? `-H 'Host: ${safe(hosts[0])}' ` : '';
      for (const path of paths.slice(0, 4)) lines.push(`    curl -i ${host}${target}${safe(path)}`);
    }
  }
  if (lines.length) log(`try:\n${lines.join('\n')}`);
}
