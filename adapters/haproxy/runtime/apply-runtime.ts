// Applies the next materialized file set by the cheapest safe path:
//
//  reload   anything beyond server slot contents and map contents changed (or we cannot tell):
//           candidate → haproxy -c → promote → master reload → confirm; on failure roll the files
//           back to last-good and reload again, so disk and process agree.
//  runtime  only slot contents and/or map contents changed: the files are written first, then
//           `set server` batches (#825 order), the maps' entry edits (one `;` batch for every map
//           of the change) and whole-map transactions; no reload.
//
// Crash safety of the runtime path: files first, runtime second. A crash between the two leaves
// disk = desired and HAProxy behind; the store's `.pending` marker records exactly that ("written"),
// and the next apply sees it and reloads, which makes HAProxy read the disk. The other order would
// be worse: a crash after the runtime change but before the write leaves the desired state only in
// memory, and the next restart or reload silently reverts it. Any runtime command failure also
// falls back to a reload, for the same reason. The files are renamed into place without an fsync
// (atomic-write.ts): that order holds for a crash of the process; after a power cut the adapter's
// start rewrites every file from its saved state (synced where it holds what cannot be redone).
//
// Cost: planning compares the file sets and slot lists by identity first (unchanged parts are the
// same objects when prev is the adapter's record), and a changed map by its changed part only
// (map-edits.ts).
//
// This module takes plain data (no model types of the render side): the two file sets and, for
// each, the slot contents and map entries that the files encode.

import type { ServerState } from './cli-arguments.js';
import type { ConfigStore, FileSet } from './config-store.js';
import { HAProxyConfigError, HAProxyReloadError } from './errors.js';
import type { HAProxyProcess } from './haproxy-process.js';
import { alignMapEntries, type MapEdits, type MapOrder, mapEdits } from './map-edits.js';
import { parseMapFile, sameEntries } from './map-file.js';
import { type MapInfo, type RuntimeClient, type ServerUpdate, serverCommands } from './runtime-client.js';
import { configWithoutSlotContents, serverLines } from './server-lines.js';

export interface SlotContent {
  name: string;
  /** Absent = free slot (placeholder address in the file, state maint). */
  address?: string;
  port?: number;
  weight: number;
  state: ServerState;
}

export interface BackendSlots {
  backend: string;
  slots: readonly SlotContent[];
}

export interface MapContent {
  /** The map file's path relative to the state dir, as in the file set (e.g. `maps/host.map`). */
  path: string;
  entries: readonly (readonly [string, string])[];
  /** How lookups depend on the entries' order (map-edits.ts); absent = first match, order matters. */
  order?: MapOrder;
  /**
   * The file was rendered from `entries` with keys and values that read back as they are (the
   * adapter's materialize): planning need not parse it back to compare.
   */
  renderedFromEntries?: true;
}

/** A map to change at runtime: entry by entry when edits are given, else replaced whole. */
export interface MapUpdate extends MapContent {
  edits?: MapEdits;
}

export interface HAProxyDesired {
  files: FileSet;
  backends: readonly BackendSlots[];
  maps: readonly MapContent[];
}

export type ChangePlan =
  | { kind: 'noop' }
  | { kind: 'reload'; reason: string }
  | { kind: 'runtime'; servers: ServerUpdate[]; maps: MapUpdate[] };

export interface ApplyOptions {
  store: ConfigStore;
  process: Pick<HAProxyProcess, 'reload'>;
  runtime: RuntimeClient;
  /** Also run `haproxy -c` before a runtime-only change (costs one config parse). Default false. */
  validateRuntimeChanges?: boolean;
  reloadTimeoutMs?: number;
  signal?: AbortSignal;
  /**
   * The name the running worker knows each map by (`show map`), by file path: asked only for a map
   * it does not hold yet, and filled in with the answer (the names come from the config: they hold
   * across changes). The caller empties it when the worker may have changed.
   */
  mapRefs?: Map<string, string>;
}

export interface ApplyResult {
  path: 'noop' | 'runtime' | 'reload';
  reloaded: boolean;
  /** Why a reload was needed (for metrics and logs). */
  reason?: string;
  /** `set server` commands plus map operations (prepare, add, commit; or add, set, del per entry). */
  runtimeCommands: number;
  /** CLI connections used. */
  runtimeRequests: number;
  /** The runtime path failed and a reload finished the job. */
  fellBack: boolean;
  durationMs: number;
  validationMs?: number;
  reloadMs?: number;
  /** Runtime path: writing the files, then sending the runtime commands. */
  filesMs?: number;
  runtimeMs?: number;
  /** The live files written (paths relative to the state dir). */
  written: string[];
}

/** Keeps one `;` batch well under tune.bufsize (16 kB), never splitting one slot's commands. */
const BATCH_BYTES = 8_000;

/**
 * Pure: what it takes to go from prev to next. Reload whenever in doubt. prev may be what HAProxy
 * really runs (live-state.ts): then slot contents and map entries that drifted at runtime, with the
 * files unchanged, are put back through the runtime API as well.
 */
export function planHAProxyChange(
  prev: HAProxyDesired | undefined,
  next: HAProxyDesired,
  configFile = 'haproxy.cfg',
): ChangePlan {
  if (!prev) return { kind: 'reload', reason: 'no previous state' };
  const nextNames = Object.keys(next.files);
  if (nextNames.length !== Object.keys(prev.files).length || !nextNames.every((k) => k in prev.files))
    return { kind: 'reload', reason: 'files added or removed' };
  // Unchanged files are mostly the very same strings (the adapter's caches): no character compared.
  const changed = nextNames.filter((k) => prev.files[k] !== next.files[k]);
  const changedSet = new Set(changed);
  const configChanged = changedSet.has(configFile);

  const nextMaps = new Map(next.maps.map((m) => [m.path, m]));
  for (const path of changed)
    if (path !== configFile && !nextMaps.has(path)) return { kind: 'reload', reason: `${path} changed` };

  // Maps: the description must be what the file says, or the runtime would disagree with disk.
  const prevMaps = new Map(prev.maps.map((m) => [m.path, m]));
  const update = (m: MapContent): MapUpdate => {
    const before = prevMaps.get(m.path);
    const edits = before && mapEdits(before.entries, m.entries, m.order ?? 'first-match');
    return edits ? { ...m, edits } : m;
  };
  const maps: MapUpdate[] = [];
  for (const path of changed) {
    const m = nextMaps.get(path);
    if (!m) continue;
    if (!m.renderedFromEntries && !sameEntries(parseMapFile(next.files[path]!), m.entries))
      return { kind: 'reload', reason: `${path} does not match its entries` };
    maps.push(update(m));
  }
  for (const m of next.maps) {
    const before = prevMaps.get(m.path);
    if (changedSet.has(m.path) || !before || before.entries === m.entries) continue;
    if (!sameEntries(alignMapEntries(before.entries, m.entries, m.order ?? 'first-match'), m.entries))
      maps.push(update(m));
  }

  const prevBackends = new Map(prev.backends.map((b) => [b.backend, b]));
  if (prevBackends.size !== next.backends.length)
    return { kind: 'reload', reason: 'server slots added or removed' };
  if (configChanged) {
    const keys = new Set(next.backends.flatMap((b) => b.slots.map((s) => `${b.backend}/${s.name}`)));
    if (
      configWithoutSlotContents(prev.files[configFile]!, keys) !==
      configWithoutSlotContents(next.files[configFile]!, keys)
    )
      return { kind: 'reload', reason: `${configFile} changed beyond server slot contents` };
  }
  const servers: ServerUpdate[] = [];
  let lines: ReturnType<typeof serverLines> | undefined;
  for (const b of next.backends) {
    const before = prevBackends.get(b.backend);
    if (!before) return { kind: 'reload', reason: 'server slots added or removed' };
    // The same slots as before, checked against the same config: nothing to look at.
    if (before.slots === b.slots && !configChanged) continue;
    const prevSlots = new Map(before.slots.map((s) => [s.name, s]));
    if (prevSlots.size !== b.slots.length || !b.slots.every((s) => prevSlots.has(s.name)))
      return { kind: 'reload', reason: 'server slots added or removed' };
    lines ??= serverLines(next.files[configFile] ?? '');
    for (const after of b.slots) {
      const key = `${b.backend}/${after.name}`;
      const line = lines.get(key);
      if (!line) return { kind: 'reload', reason: `slot ${key} not in ${configFile}` };
      if (after.address !== undefined && (line.addr !== after.address || line.port !== after.port))
        return { kind: 'reload', reason: `slot ${key} does not match its server line` };
      const u = slotUpdate(key, prevSlots.get(after.name)!, after);
      if (u) servers.push(u);
    }
  }
  if (changed.length === 0 && servers.length === 0 && maps.length === 0) return { kind: 'noop' };
  // Make before break: slots that come into service go first, so a backend is never left empty.
  servers.sort((a, b) => Number(a.state !== 'ready') - Number(b.state !== 'ready'));
  return { kind: 'runtime', servers, maps };
}

/** Applies next (see the header for the paths and their crash safety). */
export async function applyHAProxyChange(
  prev: HAProxyDesired | undefined,
  next: HAProxyDesired,
  opts: ApplyOptions,
): Promise<ApplyResult> {
  const started = performance.now();
  const pending = await opts.store.pending();
  let plan = planHAProxyChange(prev, next, opts.store.configFile);
  // A previous apply stopped between disk and HAProxy: only a reload tells us they agree.
  if (pending !== undefined) plan = { kind: 'reload', reason: `previous apply left the files ${pending}` };
  const done = (r: Omit<ApplyResult, 'durationMs'>): ApplyResult => ({
    ...r,
    durationMs: performance.now() - started,
  });
  // What the live files hold, when prev is what runs (the caller read it, or recorded it).
  const current = prev?.files;

  if (plan.kind === 'noop')
    return done({
      path: 'noop',
      reloaded: false,
      runtimeCommands: 0,
      runtimeRequests: 0,
      fellBack: false,
      written: [],
    });
  if (plan.kind === 'reload') {
    const r = await reloadWith(next.files, current, opts);
    return done({
      path: 'reload',
      reason: plan.reason,
      runtimeCommands: 0,
      runtimeRequests: 0,
      fellBack: false,
      ...r,
    });
  }

  let validationMs: number | undefined;
  if (opts.validateRuntimeChanges) {
    const candidate = await opts.store.writeCandidate(next.files);
    validationMs = candidate.validation.durationMs;
    await opts.store.discard(candidate);
    if (!candidate.validation.ok)
      throw new HAProxyConfigError('HAProxy refused the new configuration', candidate.validation.errors);
  }
  // last-good/ is brought up to date by the next reload, the only path that may roll back to it.
  const filesStarted = performance.now();
  const written = await opts.store.writeLive(next.files, current, { lastGood: false });
  const runtimeStarted = performance.now();
  let commands = 0;
  let requests = 0;
  try {
    const cli = opts.signal ? { signal: opts.signal } : {};
    for (const batch of batches(plan.servers)) {
      await opts.runtime.setServers(batch, cli);
      commands += batch.flatMap(serverCommands).length;
      requests++;
    }
    if (plan.maps.length > 0) {
      const refs = opts.mapRefs ?? new Map<string, string>();
      if (plan.maps.some((m) => !refs.has(m.path))) {
        for (const [path, ref] of mapRefsOf(await opts.runtime.showMaps(cli))) refs.set(path, ref);
        requests++;
      }
      const refOf = (path: string) => {
        const ref = refs.get(path);
        if (!ref) throw new Error(`map ${path} is not loaded by the running HAProxy`);
        return ref;
      };
      const edited = plan.maps.flatMap((m) => (m.edits ? [{ ref: refOf(m.path), edits: m.edits }] : []));
      if (edited.length > 0) {
        const r = await opts.runtime.editMaps(edited, cli);
        commands += r.commands;
        requests += r.requests;
      }
      for (const m of plan.maps) {
        if (m.edits) continue;
        const r = await opts.runtime.replaceMap(refOf(m.path), m.entries, cli);
        commands += r.requests;
        requests += r.requests;
      }
    }
  } catch (err) {
    // Disk already holds next; a reload makes HAProxy read it. The runtime error is the reason.
    const r = await reloadWith(next.files, next.files, opts);
    return done({
      path: 'reload',
      reason: `runtime update failed: ${(err as Error).message}`,
      runtimeCommands: commands,
      runtimeRequests: requests,
      fellBack: true,
      ...(validationMs !== undefined ? { validationMs } : {}),
      ...r,
      written: [...new Set([...written, ...r.written])],
    });
  }
  const runtimeMs = performance.now() - runtimeStarted;
  await opts.store.markApplied();
  return done({
    path: 'runtime',
    reloaded: false,
    runtimeCommands: commands,
    runtimeRequests: requests,
    fellBack: false,
    ...(validationMs !== undefined ? { validationMs } : {}),
    filesMs: runtimeStarted - filesStarted,
    runtimeMs,
    written,
  });
}

/**
 * Each loaded map's file path (relative to the state dir, as in a file set) → the reference the
 * worker knows it by (the config's path, relative or absolute).
 */
export function mapRefsOf(loaded: readonly MapInfo[]): Map<string, string> {
  const refs = new Map<string, string>();
  for (const l of loaded) {
    refs.set(l.path, l.path);
    const m = /(?:^|\/)(maps\/[^/]+)$/.exec(l.path);
    if (m && !refs.has(m[1]!)) refs.set(m[1]!, l.path);
  }
  return refs;
}

/** Validate a candidate, promote it, reload; on a failed reload restore last-good and reload that. */
async function reloadWith(
  files: FileSet,
  current: Readonly<Record<string, string>> | undefined,
  opts: ApplyOptions,
): Promise<{ reloaded: true; validationMs: number; reloadMs: number; written: string[] }> {
  const candidate = await opts.store.writeCandidate(files);
  if (!candidate.validation.ok) {
    await opts.store.discard(candidate);
    throw new HAProxyConfigError('HAProxy refused the new configuration', candidate.validation.errors);
  }
  const written = await opts.store.promote(candidate, current);
  const reloadOpts = {
    ...(opts.reloadTimeoutMs !== undefined ? { timeoutMs: opts.reloadTimeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  try {
    const r = await opts.process.reload(reloadOpts);
    await opts.store.markApplied();
    return {
      reloaded: true,
      validationMs: candidate.validation.durationMs,
      reloadMs: r.durationMs,
      written,
    };
  } catch (err) {
    if (await opts.store.lastGood()) {
      await opts.store.rollback();
      await opts.process.reload(reloadOpts).catch(() => undefined);
    }
    if (err instanceof HAProxyReloadError) throw err;
    throw new HAProxyReloadError(`reload failed: ${(err as Error).message}`, []);
  }
}

/** Only what differs; an address change always re-states weight and state (after maint). */
function slotUpdate(key: string, before: SlotContent, after: SlotContent): ServerUpdate | undefined {
  const [backend, server] = key.split('/') as [string, string];
  const moved =
    after.address !== undefined && (before.address !== after.address || before.port !== after.port);
  const u: ServerUpdate = { backend, server };
  if (moved) {
    u.addr = after.address!;
    if (after.port !== undefined) u.port = after.port;
  }
  // A slot the config wrote draining runs at weight 0: leaving drain must set its weight again.
  if (moved || before.weight !== after.weight || before.state !== after.state) u.weight = after.weight;
  if (moved || before.state !== after.state) u.state = after.state;
  return Object.keys(u).length > 2 ? u : undefined;
}

function batches(updates: readonly ServerUpdate[]): ServerUpdate[][] {
  const out: ServerUpdate[][] = [];
  let current: ServerUpdate[] = [];
  let size = 0;
  for (const u of updates) {
    const n = serverCommands(u).join(';').length + 1;
    if (current.length > 0 && size + n > BATCH_BYTES) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(u);
    size += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}
