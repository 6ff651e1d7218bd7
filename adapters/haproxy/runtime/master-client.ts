// The master CLI (`-S <sock>`): process list and reload. Separate from the runtime client because
// it talks to the master, which survives reloads, while the stats socket belongs to one worker.

import { type CliRequestOptions, sendCliRequest } from './cli-socket.js';

export interface ProcEntry {
  pid: number;
  type: 'master' | 'worker' | 'program';
  /** Master: reloads since start. Worker: reloads it has survived (0 = newest). */
  reloads: number;
  uptime: string;
  version: string;
  /** True for workers still finishing old connections after a reload. */
  old: boolean;
}

export interface ProcInfo {
  master: ProcEntry;
  /** Failed reloads since the last successful one (`[failed: N]`). */
  failedReloads: number;
  /** The current worker(s), newest config. */
  workers: ProcEntry[];
  /** Workers from previous configs, finishing their connections. */
  oldWorkers: ProcEntry[];
}

export class MasterClient {
  constructor(
    readonly socketPath: string,
    private readonly defaults: CliRequestOptions = {},
  ) {}

  async showProc(opts: CliRequestOptions = {}): Promise<ProcInfo> {
    return parseShowProc(await sendCliRequest(this.socketPath, 'show proc', { ...this.defaults, ...opts }));
  }

  /**
   * Asks the master to re-exec with the files on disk. On 2.6 this returns before the new worker is
   * up (the master closes the connection as it re-execs): confirm with showProc.
   */
  async requestReload(opts: CliRequestOptions = {}): Promise<void> {
    await sendCliRequest(this.socketPath, 'reload', { ...this.defaults, ...opts });
  }

  /** A command forwarded to the current worker (`@1`): reaches it even without a stats socket. */
  async workerCommand(command: string, opts: CliRequestOptions = {}): Promise<string> {
    if (/[;\n\\]/.test(command)) throw new Error('worker command must be a single plain command');
    return sendCliRequest(this.socketPath, `@1 ${command}`, { ...this.defaults, ...opts });
  }
}

/**
 * ```
 * #<PID>          <type>          <reloads>       <uptime>        <version>
 * 18584           master          1 [failed: 0]   0d00h10m13s     2.6.12-1+deb12u4
 * # workers
 * 24478           worker          0               0d00h00m00s     2.6.12-1+deb12u4
 * # old workers
 * ...
 * # programs
 * ```
 */
export function parseShowProc(raw: string): ProcInfo {
  let section: 'master' | 'workers' | 'old' | 'programs' = 'master';
  let master: ProcEntry | undefined;
  let failedReloads = 0;
  const workers: ProcEntry[] = [];
  const oldWorkers: ProcEntry[] = [];
  for (const line of raw.split('\n')) {
    if (line.startsWith('#')) {
      if (/^# workers/.test(line)) section = 'workers';
      else if (/^# old workers/.test(line)) section = 'old';
      else if (/^# programs/.test(line)) section = 'programs';
      continue;
    }
    const m = /^(\d+)\s+(master|worker|\S+)\s+(\d+)(?:\s+\[failed:\s*(\d+)\])?\s+(\S+)\s*(\S*)/.exec(line);
    if (!m) continue;
    const entry: ProcEntry = {
      pid: Number(m[1]),
      type: m[2] === 'master' ? 'master' : m[2] === 'worker' ? 'worker' : 'program',
      reloads: Number(m[3]),
      uptime: m[5]!,
      version: m[6] ?? '',
      old: section === 'old',
    };
    if (entry.type === 'master') {
      master = entry;
      failedReloads = Number(m[4] ?? 0);
    } else if (section === 'workers') workers.push(entry);
    else if (section === 'old') oldWorkers.push(entry);
  }
  if (!master) throw new Error(`unexpected 'show proc' answer: ${raw.slice(0, 200)}`);
  return { master, failedReloads, workers, oldWorkers };
}
