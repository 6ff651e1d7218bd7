// Supervises one HAProxy in master-worker mode (`-W`): the master re-execs itself on `reload` and
// keeps the listening sockets, so a reload never refuses connections. We start it in its own
// process group, so stop() and every exit path can kill the master and all of its workers at once
// and nothing is ever left behind. attach() drives a HAProxy someone else started and never kills it.

import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { alertLines } from './alert-lines.js';
import { HAProxyReloadError, HAProxyStartError, HAProxyUnavailableError } from './errors.js';
import { findHAProxyBinary } from './haproxy-binary.js';
import { MasterClient, type ProcInfo } from './master-client.js';
import { minimalEnv } from './run-command.js';
import { sleep } from './sleep.js';
import { validateConfig } from './validate-config.js';

export const MASTER_SOCKET = 'master.sock';
export const PID_FILE = 'haproxy.pid';

export interface StartOptions {
  /** Holds the config; relative paths in it (maps/, certs/) resolve here (`-C`). */
  stateDir: string;
  /** Default `haproxy.cfg`. */
  configFile?: string;
  /** Default `<stateDir>/master.sock`. */
  masterSocket?: string;
  binary?: string;
  /** Until the first worker answers. Default 10 s. */
  startTimeoutMs?: number;
  /** Extra environment; HAProxy otherwise gets PATH and LANG only (no credentials). */
  env?: Record<string, string>;
  /** Every line HAProxy prints (both streams), e.g. to forward to the CLI's log. */
  onOutput?: (line: string) => void;
}

export interface AttachOptions {
  masterSocket: string;
  /**
   * How long a HAProxy that is still starting may take to answer on its master socket with a
   * worker. Default 10 s.
   */
  readyTimeoutMs?: number;
  /** Where its config lives: used to explain a failed reload with `haproxy -c`. */
  configDir?: string;
  configFile?: string;
  binary?: string;
}

export interface ReloadOptions {
  /** Until the new worker answers. Default 15 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ReloadResult {
  /** From the `reload` command to the new worker answering. */
  durationMs: number;
  /** The master's reload counter after this reload. */
  reloads: number;
  workerPid: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when stop() asked for it. */
  expected: boolean;
  alerts: string[];
}

const OUTPUT_LINES_KEPT = 500;

/**
 * `binary args` run with the soft RLIMIT_NOFILE raised to the hard one first (Node cannot call
 * setrlimit): HAProxy derives maxconn from the soft limit, and each server slot with a health check
 * takes one descriptor of it. HAProxy raises the limit itself only as far as it needs, and refuses
 * to start ("Cannot raise FD limit") beyond the hard one unless it holds CAP_SYS_RESOURCE.
 */
export function withFileLimitRaised(binary: string, args: readonly string[]): [string, string[]] {
  return ['/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', binary, ...args]];
}

export class HAProxyProcess {
  readonly master: MasterClient;
  private child: ChildProcess | undefined;
  private exitInfo: ExitInfo | undefined;
  private stopping = false;
  private readonly output: { seq: number; line: string }[] = [];
  private outputSeq = 0;
  private readonly exitListeners = new Set<(info: ExitInfo) => void>();
  private readonly killOnExit = () => this.killGroup('SIGKILL');

  private constructor(
    readonly masterSocket: string,
    /** True when we started it: stop() ends it. False for attach(). */
    readonly owned: boolean,
    private readonly configDir: string | undefined,
    private readonly configFile: string,
    private readonly binary: string | undefined,
  ) {
    this.master = new MasterClient(masterSocket, { timeoutMs: 2_000 });
  }

  /** Starts `haproxy -W -S <master.sock> -C <stateDir> -f haproxy.cfg` and waits for its worker. */
  static async start(opts: StartOptions): Promise<HAProxyProcess> {
    const binary = opts.binary ?? findHAProxyBinary();
    const configFile = opts.configFile ?? 'haproxy.cfg';
    const socket = opts.masterSocket ?? join(opts.stateDir, MASTER_SOCKET);
    const p = new HAProxyProcess(socket, true, opts.stateDir, configFile, binary);
    await p.refuseIfRunning();
    await unlink(socket).catch(() => undefined); // a stale socket file from a crash
    await access(binary, constants.X_OK).catch((e: Error) => {
      throw new HAProxyStartError(`cannot run ${binary}: ${e.message}`, []);
    });
    const [file, args] = withFileLimitRaised(binary, [
      '-W',
      '-S',
      `${socket},mode,600`,
      '-C',
      opts.stateDir,
      '-f',
      configFile,
      '-p',
      join(opts.stateDir, PID_FILE),
    ]);
    const child = spawn(file, args, {
      cwd: opts.stateDir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: minimalEnv(opts.env),
    });
    p.child = child;
    process.once('exit', p.killOnExit);
    const onLine = (line: string) => {
      p.output.push({ seq: ++p.outputSeq, line });
      if (p.output.length > OUTPUT_LINES_KEPT) p.output.shift();
      opts.onOutput?.(line);
    };
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    child.once('exit', (code, signal) => {
      process.removeListener('exit', p.killOnExit);
      // Workers normally follow the master; make sure, then tell whoever listens.
      p.killGroup('SIGKILL');
      p.exitInfo = { code, signal, expected: p.stopping, alerts: alertLines(p.outputText(0)) };
      for (const l of p.exitListeners) l(p.exitInfo);
    });
    try {
      await Promise.race([
        p.waitForWorker(opts.startTimeoutMs ?? 10_000),
        spawnError.then((e) => {
          throw new HAProxyStartError(`cannot run ${binary}: ${e.message}`, []);
        }),
      ]);
    } catch (err) {
      await p.stop({ graceMs: 0 });
      throw err;
    }
    return p;
  }

  /**
   * Drives a master-worker HAProxy someone else runs; stop() leaves it running. A HAProxy that is
   * still starting is waited for: its worker serves traffic before its master listens on the
   * master socket (measured: about 120 ms in which the socket file exists but refuses connections),
   * so neither the socket file nor a served request means the master can be driven yet.
   */
  static async attach(opts: AttachOptions): Promise<HAProxyProcess> {
    const p = new HAProxyProcess(
      opts.masterSocket,
      false,
      opts.configDir,
      opts.configFile ?? 'haproxy.cfg',
      opts.binary,
    );
    const timeoutMs = opts.readyTimeoutMs ?? 10_000;
    const deadline = performance.now() + timeoutMs;
    let last: unknown;
    while (performance.now() < deadline) {
      try {
        const info = await p.master.showProc({ timeoutMs: 1_000 });
        const worker = info.workers[0];
        if (worker && (await p.workerAnswers(worker.pid))) return p;
        last = new HAProxyUnavailableError(`no worker behind ${opts.masterSocket}`);
      } catch (err) {
        // Not listening yet (no socket file, refused, reset): keep waiting. Anything else is an answer.
        if (!(err instanceof HAProxyUnavailableError)) throw err;
        last = err;
      }
      await sleep(10);
    }
    throw new HAProxyUnavailableError(
      `no HAProxy master with a worker answers on ${opts.masterSocket} within ${timeoutMs} ms (${(last as Error).message})`,
    );
  }

  /** The master's pid (started processes only). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get exited(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** Called once when a started HAProxy exits, expectedly (stop) or not (crash, kill). */
  onExit(listener: (info: ExitInfo) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** The last lines HAProxy printed (started processes only). */
  recentOutput(): string[] {
    return this.output.map((o) => o.line);
  }

  status(): Promise<ProcInfo> {
    return this.master.showProc();
  }

  /**
   * Master CLI `reload`, then poll `show proc` until the reload counter grows and a new worker
   * answers (2.6 reloads asynchronously). A refused config leaves the old worker serving and
   * throws HAProxyReloadError with HAProxy's [ALERT] lines.
   */
  async reload(opts: ReloadOptions = {}): Promise<ReloadResult> {
    this.assertAlive();
    const timeoutMs = opts.timeoutMs ?? 15_000;
    const before = await this.master.showProc();
    const oldPids = new Set(before.workers.map((w) => w.pid));
    const mark = this.outputSeq;
    const started = performance.now();
    // The master drops the connection while it re-execs: a reset here is not a failure.
    await this.master.requestReload().catch((e) => {
      if (!(e instanceof HAProxyUnavailableError)) throw e;
    });
    const deadline = started + timeoutMs;
    while (performance.now() < deadline && !opts.signal?.aborted) {
      this.assertAlive();
      const info = await this.master.showProc().catch(() => undefined);
      if (info && info.master.reloads > before.master.reloads) {
        const fresh = info.workers.find((w) => !oldPids.has(w.pid));
        if (fresh && (await this.workerAnswers(fresh.pid)))
          return {
            durationMs: performance.now() - started,
            reloads: info.master.reloads,
            workerPid: fresh.pid,
          };
        if (!fresh && info.failedReloads > 0)
          throw new HAProxyReloadError(
            'HAProxy refused the new configuration; the previous one keeps serving',
            await this.alertsSince(mark),
          );
      }
      await sleep(10, opts.signal);
    }
    throw new HAProxyReloadError(
      `no new worker within ${timeoutMs} ms after reload`,
      await this.alertsSince(mark),
      true,
    );
  }

  /**
   * Graceful for started processes: SIGUSR1 (workers finish their connections), then SIGTERM, then
   * SIGKILL of the whole process group. For attached ones: nothing to end.
   */
  async stop(opts: { graceMs?: number } = {}): Promise<void> {
    const child = this.child;
    if (!this.owned || !child) return;
    this.stopping = true;
    if (!this.exitInfo) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const wait = (ms: number) => Promise.race([exited.then(() => true), sleep(ms).then(() => false)]);
      const grace = opts.graceMs ?? 5_000;
      if (grace > 0) this.signalMaster('SIGUSR1');
      if (grace === 0 || !(await wait(grace))) {
        this.killGroup('SIGTERM');
        if (!(await wait(1_000))) {
          this.killGroup('SIGKILL');
          await wait(2_000);
        }
      }
    }
    this.killGroup('SIGKILL');
    process.removeListener('exit', this.killOnExit);
  }

  /** Synchronous last resort for signal handlers of the host process. */
  killNow(): void {
    this.stopping = true;
    this.killGroup('SIGKILL');
  }

  private async refuseIfRunning(): Promise<void> {
    const info = await this.master.showProc({ timeoutMs: 500 }).catch(() => undefined);
    if (info)
      throw new HAProxyStartError(
        `a HAProxy (master pid ${info.master.pid}) already answers on ${this.masterSocket}; attach() to it or stop it first`,
        [],
      );
    const pid = Number((await readFile(join(this.configDir!, PID_FILE), 'utf8').catch(() => '')).trim());
    if (pid > 0 && (await isHAProxyFor(pid, this.masterSocket)))
      throw new HAProxyStartError(
        `a HAProxy (pid ${pid}) from an earlier run still uses ${this.configDir}`,
        [],
      );
  }

  private async waitForWorker(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (this.exitInfo)
        throw new HAProxyStartError('HAProxy exited during start', this.exitInfo.alerts, this.exitInfo.code);
      const info = await this.master.showProc({ timeoutMs: 500 }).catch(() => undefined);
      const worker = info?.workers[0];
      if (worker && (await this.workerAnswers(worker.pid))) return;
      await sleep(10);
    }
    throw new HAProxyStartError(
      `HAProxy did not start within ${timeoutMs} ms`,
      alertLines(this.outputText(0)),
    );
  }

  /** The worker's own CLI answers once its listeners are bound and its event loop runs. */
  private async workerAnswers(pid: number): Promise<boolean> {
    const answer = await this.master.workerCommand('show info', { timeoutMs: 1_000 }).catch(() => '');
    return new RegExp(`^Pid: ${pid}$`, 'm').test(answer);
  }

  private async alertsSince(mark: number): Promise<string[]> {
    // Give the master a moment to flush its stderr after the failed re-exec.
    await sleep(20);
    const own = alertLines(this.outputText(mark));
    if (own.length > 0 || !this.configDir) return own;
    // Attached: we do not see its output, so ask the config checker the same question.
    const v = await validateConfig(
      join(this.configDir, this.configFile),
      this.binary ? { binary: this.binary } : {},
    );
    return v.errors;
  }

  private outputText(afterSeq: number): string {
    return this.output
      .filter((o) => o.seq > afterSeq)
      .map((o) => o.line)
      .join('\n');
  }

  private assertAlive(): void {
    if (this.exitInfo)
      throw new HAProxyUnavailableError(
        `HAProxy exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal}); start it again`,
      );
  }

  private signalMaster(signal: NodeJS.Signals): void {
    try {
      if (this.child?.pid) process.kill(this.child.pid, signal);
    } catch {
      // already gone
    }
  }

  private killGroup(signal: NodeJS.Signals): void {
    // detached: the master leads its own group and its workers inherit it.
    try {
      if (this.child?.pid) process.kill(-this.child.pid, signal);
    } catch {
      // group already empty
    }
  }
}

async function isHAProxyFor(pid: number, masterSocket: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes('haproxy') && cmdline.includes(masterSocket);
}
