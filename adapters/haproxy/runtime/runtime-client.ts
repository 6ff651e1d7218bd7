// The worker's runtime API (stats socket, `level admin`): server slots and maps without a reload.
// Every argument passes an allow-list (cli-arguments.ts) before it is joined into a `;` batch, and
// every batch starts with `set severity-output number` so errors can be told from chatter.

import {
  cliAddress,
  cliMapEntry,
  cliMapPath,
  cliName,
  cliPort,
  cliState,
  cliWeight,
  type ServerState,
} from './cli-arguments.js';
import { type CliResponse, parseCliResponse, splitCliResponses, throwOnCliError } from './cli-response.js';
import { type CliRequestOptions, sendCliRequest } from './cli-socket.js';
import { HAProxyCommandError } from './errors.js';
import { batchSafe, type MapEdits } from './map-edits.js';

export interface ServerUpdate {
  backend: string;
  server: string;
  addr?: string;
  port?: number;
  weight?: number;
  state?: ServerState;
}

export interface ServerRuntimeState {
  backend: string;
  backendId: number;
  server: string;
  serverId: number;
  addr: string;
  port: number;
  /** Derived from the admin flags: maint (any maintenance flag), drain, else ready. */
  state: ServerState;
  /** 0 stopped, 1 starting, 2 running, 3 stopping (health-wise). */
  operationalState: number;
  adminFlags: number;
  weight: number;
  initialWeight: number;
  /** Seconds since the last state change (admin or operational). */
  secondsSinceChange: number;
  /** HAProxy's HCHK_STATUS_* of the last check (1: not checked yet, 6: L4OK, 15: L7OK...). */
  checkStatus: number;
  /** Of the last check: 0 unknown, 1 neutral, 2 failed, 3 passed, 4 passed conditionally. */
  checkResult: number;
}

export interface MapInfo {
  id: number;
  /** The reference the config used (relative or absolute path): what map commands take. */
  path: string;
  currentVersion: number;
  nextVersion: number;
  entries: number;
}

export interface ReplaceMapResult {
  version: number;
  /** Connections used: prepare, payload chunks, commit. */
  requests: number;
}

/** Payload chunks stay well under tune.bufsize (16 kB by default), which bounds one CLI request. */
const MAP_CHUNK_BYTES = 8_000;
const SEVERITY = 'set severity-output number';
// SRV_ADMF_FMAINT | IMAINT | RMAINT | HMAINT; CMAINT (0x04) only records "disabled in the config".
const ADMIN_MAINT = 0x01 | 0x02 | 0x20 | 0x40;
const ADMIN_DRAIN = 0x08 | 0x10;

export class RuntimeClient {
  constructor(
    readonly socketPath: string,
    private readonly defaults: CliRequestOptions = {},
  ) {}

  /**
   * Runs commands as one `;` batch on one connection, in order, and returns one response each.
   * Commands must already be built from validated arguments (this class does that).
   */
  async batch(commands: readonly string[], opts: CliRequestOptions = {}): Promise<CliResponse[]> {
    for (const c of commands)
      if (/[;\\\n\r]/.test(c))
        throw new Error(`unescaped separator in runtime command: ${JSON.stringify(c)}`);
    const raw = await sendCliRequest(this.socketPath, [SEVERITY, ...commands].join(';'), this.opts(opts));
    return splitCliResponses(raw, [SEVERITY, ...commands]).slice(1);
  }

  /** One command whose output is data (may span lines); throws on an error answer. */
  async query(command: string, opts: CliRequestOptions = {}): Promise<string> {
    if (/[;\\\n\r]/.test(command))
      throw new Error(`unescaped separator in runtime command: ${JSON.stringify(command)}`);
    const raw = await sendCliRequest(this.socketPath, command, this.opts(opts));
    const r = parseCliResponse(command, raw.replace(/\n+$/, ''));
    throwOnCliError([r]);
    return raw;
  }

  async showInfo(opts: CliRequestOptions = {}): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const line of (await this.query('show info', opts)).split('\n')) {
      const i = line.indexOf(': ');
      if (i > 0) out[line.slice(0, i)] = line.slice(i + 2);
    }
    return out;
  }

  async showServersState(backend?: string, opts: CliRequestOptions = {}): Promise<ServerRuntimeState[]> {
    const cmd =
      backend === undefined ? 'show servers state' : `show servers state ${cliName(backend, 'backend')}`;
    return parseServersState(await this.query(cmd, opts));
  }

  /**
   * Updates one server slot with the ordering of haproxytech #825, in one batch: take it out of
   * rotation (maint) before its address changes, set address and weight, and only then make it
   * ready or drain. A ready server therefore never points at a half-changed address.
   */
  async setServer(update: ServerUpdate, opts: CliRequestOptions = {}): Promise<CliResponse[]> {
    return this.setServers([update], opts);
  }

  /**
   * Several slots in one batch (each ordered as in setServer). If any command fails, the slots it
   * touched are put in maint, so a failed address change never leaves a ready server on a stale
   * address; then the error is thrown.
   */
  async setServers(updates: readonly ServerUpdate[], opts: CliRequestOptions = {}): Promise<CliResponse[]> {
    const commands = updates.flatMap(serverCommands);
    if (commands.length === 0) return [];
    const responses = await this.batch(commands, opts);
    const failed = responses.filter((r) => r.error !== undefined);
    if (failed.length > 0) {
      const targets = new Set(failed.map((r) => r.command.split(' ')[2]!));
      const fence = [...targets].map((t) => `set server ${t} state maint`);
      await this.batch(fence, opts).catch(() => undefined);
      throwOnCliError(failed);
    }
    return responses;
  }

  async showMaps(opts: CliRequestOptions = {}): Promise<MapInfo[]> {
    return parseMapList(await this.query('show map', opts));
  }

  /** The entries HAProxy currently uses, as `[key, value]` in file order. */
  async showMap(path: string, opts: CliRequestOptions = {}): Promise<[string, string][]> {
    const raw = await this.query(`show map ${cliMapPath(path)}`, opts);
    const entries: [string, string][] = [];
    for (const line of raw.split('\n')) {
      const m = /^0x[0-9a-f]+ (\S+)(?: (.*))?$/.exec(line);
      if (m) entries.push([m[1]!, m[2] ?? '']);
    }
    return entries;
  }

  /**
   * Replaces a whole map atomically: `prepare map` opens a new version, the entries go in with the
   * payload form of `add map @ver` (keeps values with spaces; the one-line form drops everything
   * after the first word), and `commit map` swaps it in at once. Lookups see the old or the new
   * map, never a mix.
   */
  async replaceMap(
    path: string,
    entries: readonly (readonly [string, string])[],
    opts: CliRequestOptions = {},
  ): Promise<ReplaceMapResult> {
    const map = cliMapPath(path);
    const lines = entries.map(([k, v]) => cliMapEntry(k, v));
    const [prepared] = await this.batch([`prepare map ${map}`], opts);
    throwOnCliError([prepared!]);
    const m = /New version created: (\d+)/.exec(prepared!.text);
    if (!m) throw new HAProxyCommandError(`prepare map ${map}`, prepared!.text, 'other');
    const version = Number(m[1]);
    const requests = 1 + (await this.addMapPayload(`add map @${version} ${map} <<`, lines, opts));
    const [committed] = await this.batch([`commit map @${version} ${map}`], opts);
    throwOnCliError([committed!]);
    return { version, requests: requests + 1 };
  }

  /**
   * Changes a running map entry by entry (see map-edits.ts for when that is right): new entries by
   * the payload form of `add map` (appended), then `set map` and `del map` in one `;` batch. Returns
   * the commands sent and the connections used.
   */
  async editMap(
    path: string,
    edits: MapEdits,
    opts: CliRequestOptions = {},
  ): Promise<{ commands: number; requests: number }> {
    const map = cliMapPath(path);
    let requests = await this.addMapPayload(
      `add map ${map} <<`,
      edits.add.map(([k, v]) => cliMapEntry(k, v)),
      opts,
    );
    const commands = [
      ...edits.set.map(([k, v]) => `set map ${map} ${cliMapEntry(k, v)}`),
      ...edits.del.map((k) => `del map ${map} ${cliMapEntry(k, '')}`),
    ];
    for (const chunk of chunkLines(commands, MAP_CHUNK_BYTES)) {
      throwOnCliError(await this.batch(chunk, opts));
      requests++;
    }
    return { commands: edits.add.length + commands.length, requests };
  }

  /**
   * Entry edits of several maps (`ref` as `show map` names it) in one `;` batch: the adds of every
   * map, then the sets, then the deletes, so a route's new entries go in before the old ones go out.
   * A route change is one request. An add whose entry cannot go on a command line goes first by the
   * payload form (a request per map). Returns the commands sent and the connections used.
   */
  async editMaps(
    changes: readonly { ref: string; edits: MapEdits }[],
    opts: CliRequestOptions = {},
  ): Promise<{ commands: number; requests: number }> {
    let requests = 0;
    const adds: string[] = [];
    const sets: string[] = [];
    const dels: string[] = [];
    for (const { ref, edits } of changes) {
      const map = cliMapPath(ref);
      const payload = edits.add.filter(([k, v]) => !batchSafe(k, v)).map(([k, v]) => cliMapEntry(k, v));
      requests += await this.addMapPayload(`add map ${map} <<`, payload, opts);
      for (const [k, v] of edits.add) if (batchSafe(k, v)) adds.push(`add map ${map} ${cliMapEntry(k, v)}`);
      for (const [k, v] of edits.set) sets.push(`set map ${map} ${cliMapEntry(k, v)}`);
      for (const k of edits.del) dels.push(`del map ${map} ${cliMapEntry(k, '')}`);
    }
    const commands = [...adds, ...sets, ...dels];
    for (const chunk of chunkLines(commands, MAP_CHUNK_BYTES)) {
      throwOnCliError(await this.batch(chunk, opts));
      requests++;
    }
    return {
      commands: commands.length + changes.reduce((n, c) => n + c.edits.add.length, 0) - adds.length,
      requests,
    };
  }

  /** Sends `lines` with the payload form of `cmd` (`add map ... <<`), in chunks; returns the connections used. */
  private async addMapPayload(
    cmd: string,
    lines: readonly string[],
    opts: CliRequestOptions,
  ): Promise<number> {
    let requests = 0;
    for (const chunk of chunkLines(lines, MAP_CHUNK_BYTES)) {
      const raw = await sendCliRequest(
        this.socketPath,
        `${SEVERITY};${cmd}\n${chunk.join('\n')}`,
        this.opts(opts),
      );
      requests++;
      throwOnCliError(splitCliResponses(raw, [SEVERITY, cmd]).slice(1));
    }
    return requests;
  }

  private opts(opts: CliRequestOptions): CliRequestOptions {
    return { ...this.defaults, ...opts };
  }
}

/** maint → addr/port → weight → ready|drain; only what the update names. */
export function serverCommands(u: ServerUpdate): string[] {
  const target = `${cliName(u.backend, 'backend')}/${cliName(u.server, 'server')}`;
  const state = u.state === undefined ? undefined : cliState(u.state);
  const moves = u.addr !== undefined || u.port !== undefined;
  const out: string[] = [];
  if (moves || state === 'maint') out.push(`set server ${target} state maint`);
  if (moves) {
    if (u.addr === undefined) throw new Error('set server: a port change needs the address too');
    const port = u.port === undefined ? '' : ` port ${cliPort(u.port)}`;
    out.push(`set server ${target} addr ${cliAddress(u.addr)}${port}`);
  }
  if (u.weight !== undefined) out.push(`set server ${target} weight ${cliWeight(u.weight)}`);
  if (state === 'ready' || state === 'drain') out.push(`set server ${target} state ${state}`);
  return out;
}

/** `show servers state` (format version 1). */
export function parseServersState(raw: string): ServerRuntimeState[] {
  const out: ServerRuntimeState[] = [];
  for (const line of raw.split('\n')) {
    if (line === '' || line.startsWith('#') || /^\d+$/.test(line)) continue;
    const f = line.split(' ');
    if (f.length < 19) continue;
    const adminFlags = Number(f[6]);
    out.push({
      backendId: Number(f[0]),
      backend: f[1]!,
      serverId: Number(f[2]),
      server: f[3]!,
      addr: f[4]!,
      operationalState: Number(f[5]),
      adminFlags,
      state: adminFlags & ADMIN_MAINT ? 'maint' : adminFlags & ADMIN_DRAIN ? 'drain' : 'ready',
      weight: Number(f[7]),
      initialWeight: Number(f[8]),
      secondsSinceChange: Number(f[9]),
      checkStatus: Number(f[10]),
      checkResult: Number(f[11]),
      port: Number(f[18]),
    });
  }
  return out;
}

/** `2 (maps/host.map) pattern loaded from file ... curr_ver=0 next_ver=0 entry_cnt=1` */
export function parseMapList(raw: string): MapInfo[] {
  const out: MapInfo[] = [];
  for (const line of raw.split('\n')) {
    const m = /^(\d+) \((.*?)\) .*curr_ver=(\d+) next_ver=(\d+) entry_cnt=(\d+)/.exec(line);
    if (m)
      out.push({
        id: Number(m[1]),
        path: m[2]!,
        currentVersion: Number(m[3]),
        nextVersion: Number(m[4]),
        entries: Number(m[5]),
      });
  }
  return out;
}

function chunkLines(lines: readonly string[], maxBytes: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const line of lines) {
    const n = Buffer.byteLength(line) + 1;
    if (current.length > 0 && size + n > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(line);
    size += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
