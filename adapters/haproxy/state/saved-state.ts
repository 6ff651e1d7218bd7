// What the adapter keeps across restarts, next to the files HAProxy reads: the resources it last
// applied per load balancer (the reference observe reads the live files against, and what a start
// materializes), the slot each endpoint sits in, and the address each load balancer was given.
//
// Layout: per load balancer, `portico-state/<hash of its key>.json` (a snapshot, written whole) and
// `.log` next to it (one line per apply since the snapshot: the resources that changed, a map by the
// part of its entries that changed). A route change appends a line of its own size, not the whole
// load balancer's JSON (1.3 MB at 5,000 routes). A new snapshot is written at the first save after a
// start, when the addresses change (synced: they are what a restart cannot work out again), and when
// the log has grown past the snapshot; each snapshot has a new generation, and log lines of another
// generation are ignored, so a crash between the two files loses nothing that was saved. A torn last
// line (a crash while appending) is ignored too: that apply is redone by the next reconcile.
//
// The older single `portico-state.json` is read when there is one, and replaced by the per-key files
// at the first save (written first, the old file removed last: a crash in between reads the old one).

import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { DesiredResource } from '#core/plan/types.js';
import type { SlotAssignment } from '../config/slots.js';
import type { HaproxyKinds, MapModel } from '../model.js';
import { writeFileAtomic } from '../runtime/atomic-write.js';
import { commonEnds } from '../runtime/common-ends.js';

export interface SavedState {
  /** The IPv4 address each load balancer holds from the pool. */
  addresses: Record<LbKey, string>;
  /** The IPv6 address each IPv6-only or dual-stack load balancer holds; absent = none. */
  addresses6?: Record<LbKey, string>;
  resources: Record<LbKey, DesiredResource<HaproxyKinds>[]>;
  slots: Record<string, SlotAssignment>;
  /**
   * Backends a load balancer stopped routing to (the newest 64), still written to haproxy.cfg:
   * removing one is a reload of its own, and a route that moves back to it then needs none. Not
   * part of what observe reads or plans (no route uses them); gone with their load balancer.
   */
  idle?: Record<LbKey, DesiredResource<HaproxyKinds>[]>;
}

type Resource = DesiredResource<HaproxyKinds>;
type MapEntry = MapModel['entries'][number];

/** One load balancer's part of the state, as its snapshot holds it. */
interface KeyState {
  key: LbKey;
  generation?: string;
  address?: string;
  address6?: string;
  resources: Resource[];
  idle?: Resource[];
  /** The slot assignments of its backends (idle ones included). */
  slots: Record<string, SlotAssignment>;
}

/** One log line: the key's resources in order, each whole, unchanged, or a map by its changed part. */
interface LogLine {
  generation: string;
  resources: LoggedResource[];
  idle?: LoggedResource[];
  slots: Record<string, SlotAssignment>;
}

type LoggedResource =
  | Resource
  | { address: string; same: true }
  | {
      address: string;
      kind: 'map';
      value: Omit<MapModel, 'entries'>;
      head: number;
      tail: number;
      entries: MapEntry[];
    };

/** The single file of earlier versions. */
const LEGACY_FILE = 'portico-state.json';
const KEY_DIR = 'portico-state';

export const emptyState = (): SavedState => ({ addresses: {}, resources: {}, slots: {} });

/** Synchronous: the factory loads it before anything else can run. A torn or foreign file is skipped. */
export function loadSavedState(stateDir: string): SavedState {
  const legacy = readFileOrUndefined(join(stateDir, LEGACY_FILE));
  if (legacy !== undefined) {
    try {
      return JSON.parse(legacy) as SavedState;
    } catch {
      return emptyState();
    }
  }
  return loadKeyStates(stateDir, false);
}

/**
 * The saved state for a reader (`portico plan`): a state dir that does not exist is a mistake worth
 * saying, one without state holds nothing yet, and a file that is not the adapter's is refused.
 */
export async function readSavedState(stateDir: string): Promise<SavedState> {
  const dir = await stat(stateDir).catch(() => undefined);
  if (!dir?.isDirectory())
    throw new Error(`${stateDir} is not a directory (the HAProxy adapter's state dir)`);
  const file = join(stateDir, LEGACY_FILE);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (text === undefined) return loadKeyStates(stateDir, true);
  const state = JSON.parse(text) as Partial<SavedState>;
  if (!isRecord(state.resources) || !isRecord(state.addresses))
    throw new Error(`${file} is not a state file of Portico's HAProxy adapter (no resources and addresses)`);
  return state as SavedState;
}

function loadKeyStates(stateDir: string, strict: boolean): SavedState {
  const state = emptyState();
  let names: string[];
  try {
    names = readdirSync(join(stateDir, KEY_DIR));
  } catch {
    return state;
  }
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const path = join(stateDir, KEY_DIR, name);
    let part: KeyState;
    try {
      part = JSON.parse(readFileSync(path, 'utf8')) as KeyState;
      if (typeof part.key !== 'string' || !Array.isArray(part.resources) || !isRecord(part.slots))
        throw new Error('no key, resources and slots');
    } catch (err) {
      if (strict)
        throw new Error(
          `${path} is not a state file of Portico's HAProxy adapter (${(err as Error).message})`,
        );
      continue; // a torn or foreign file: that load balancer is applied again by its next reconcile
    }
    addKeyState(state, replayLog(part, readFileOrUndefined(path.replace(/\.json$/, '.log'))));
  }
  return state;
}

/** The snapshot with the log's lines of its generation applied, up to the first torn one. */
function replayLog(snapshot: KeyState, log: string | undefined): KeyState {
  if (log === undefined || snapshot.generation === undefined) return snapshot;
  let current = snapshot;
  for (const text of log.split('\n')) {
    if (text === '') continue;
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      break;
    }
    if (line.generation !== snapshot.generation) continue;
    const byAddress = new Map([...current.resources, ...(current.idle ?? [])].map((r) => [r.address, r]));
    const earlier = (address: string) => {
      const r = byAddress.get(address);
      if (!r) throw new Error(`log line refers to ${address}, not in the state before it`);
      return r;
    };
    const resolve = (logged: LoggedResource): Resource => {
      if ('same' in logged) return earlier(logged.address);
      if ('head' in logged) {
        const before = earlier(logged.address);
        if (before.kind !== 'map') throw new Error(`${logged.address} is no map`);
        const old = before.value.entries;
        const entries = [
          ...old.slice(0, logged.head),
          ...logged.entries,
          ...old.slice(old.length - logged.tail),
        ];
        return { address: logged.address, kind: 'map', value: { ...logged.value, entries } };
      }
      return logged;
    };
    try {
      const { idle: _idle, ...rest } = current;
      current = {
        ...rest,
        resources: line.resources.map(resolve),
        ...(line.idle ? { idle: line.idle.map(resolve) } : {}),
        slots: line.slots,
      };
    } catch {
      break;
    }
  }
  return current;
}

function addKeyState(state: SavedState, part: KeyState): void {
  state.resources[part.key] = part.resources;
  if (part.idle && part.idle.length > 0) {
    state.idle ??= {};
    state.idle[part.key] = part.idle;
  }
  if (part.address !== undefined) state.addresses[part.key] = part.address;
  if (part.address6 !== undefined) {
    state.addresses6 ??= {};
    state.addresses6[part.key] = part.address6;
  }
  Object.assign(state.slots, part.slots);
}

const isRecord = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

function readFileOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

interface Indexed {
  value: object;
  json: string | undefined;
}

/** What a key's files say now, as this process wrote them. */
interface Written {
  generation: string;
  addresses: string;
  /** Each resource's value and (maps aside) JSON by address, resources and idle alike. */
  resources: Map<string, Indexed>;
  snapshotBytes: number;
  logBytes: number;
}

/**
 * Writes the state of the load balancers applied (see the header for the layout). Keeps the JSON of
 * each resource by identity of its value, and what each key's files say, so an unchanged part costs
 * nothing and a changed map costs its changed entries.
 */
export class StateWriter {
  private readonly json = new WeakMap<object, string>();
  private readonly written = new Map<LbKey, Written>();
  /** The legacy file may still be there: the first save writes every key and then removes it. */
  private migrated = false;

  constructor(private readonly stateDir: string) {}

  async save(state: SavedState, keys: Iterable<LbKey>): Promise<void> {
    const legacy = join(this.stateDir, LEGACY_FILE);
    const migrating = !this.migrated && (await stat(legacy).catch(() => undefined)) !== undefined;
    const all = new Set<LbKey>(keys);
    if (migrating) for (const key of Object.keys(state.resources)) all.add(key);
    for (const key of all) await this.saveKey(state, key);
    if (migrating) await rm(legacy, { force: true });
    this.migrated = true;
  }

  private async saveKey(state: SavedState, key: LbKey): Promise<void> {
    const base = join(this.stateDir, KEY_DIR, createHash('sha256').update(key).digest('hex').slice(0, 40));
    const resources = state.resources[key] ?? [];
    if (resources.length === 0) {
      for (const path of [`${base}.json`, `${base}.log`]) removeFile(path);
      this.written.delete(key);
      return;
    }
    const idle = state.idle?.[key] ?? [];
    const slots = slotsOf(state, [...resources, ...idle]);
    const address = state.addresses[key];
    const address6 = state.addresses6?.[key];
    const addresses = JSON.stringify([address, address6]);
    const before = this.written.get(key);
    if (!before || before.addresses !== addresses || before.logBytes > before.snapshotBytes) {
      const generation = randomBytes(6).toString('hex');
      const text = `{${[
        `"key":${JSON.stringify(key)}`,
        `"generation":"${generation}"`,
        ...(address !== undefined ? [`"address":${JSON.stringify(address)}`] : []),
        ...(address6 !== undefined ? [`"address6":${JSON.stringify(address6)}`] : []),
        `"resources":[${resources.map((r) => this.of(r)).join(',')}]`,
        ...(idle.length > 0 ? [`"idle":[${idle.map((r) => this.of(r)).join(',')}]`] : []),
        `"slots":${this.slotsJson(slots)}`,
      ].join(',')}}\n`;
      await writeFileAtomic(`${base}.json`, text, 0o600, { sync: before?.addresses !== addresses });
      removeFile(`${base}.log`);
      this.written.set(key, {
        generation,
        addresses,
        resources: this.index([...resources, ...idle]),
        snapshotBytes: text.length,
        logBytes: 0,
      });
      return;
    }
    const logged = (r: Resource) => this.logged(r, before.resources.get(r.address));
    const line = `{${[
      `"generation":"${before.generation}"`,
      `"resources":[${resources.map(logged).join(',')}]`,
      ...(idle.length > 0 ? [`"idle":[${idle.map(logged).join(',')}]`] : []),
      `"slots":${this.slotsJson(slots)}`,
    ].join(',')}}\n`;
    // One append: a crash tears at most this line, which the load then ignores.
    appendFileSync(`${base}.log`, line, { mode: 0o600 });
    this.written.set(key, {
      ...before,
      resources: this.index([...resources, ...idle]),
      logBytes: before.logBytes + line.length,
    });
  }

  /** A resource as a log line holds it: unchanged, a map by the part that changed, or whole. */
  private logged(r: Resource, before: Indexed | undefined): string {
    const same = `{"address":${JSON.stringify(r.address)},"same":true}`;
    if (before?.value === r.value) return same;
    if (r.kind === 'map' && before && 'entries' in before.value) {
      // Thousands of entries: only the part between the common head and tail is written.
      const { entries: old, ...oldRest } = before.value as MapModel;
      const { entries, ...rest } = r.value;
      const { head, tail } = commonEnds(old, entries, sameEntry);
      const changed = entries.slice(head, entries.length - tail);
      const value = JSON.stringify(rest);
      if (changed.length === 0 && head + tail === old.length && value === JSON.stringify(oldRest))
        return same;
      return `{"address":${JSON.stringify(r.address)},"kind":"map","value":${value},"head":${head},"tail":${tail},"entries":${JSON.stringify(changed)}}`;
    }
    const json = this.of(r);
    return before?.json === json ? same : json;
  }

  /** The key's resources by address; JSON kept for all but maps (compared by their entries). */
  private index(resources: readonly Resource[]): Map<string, Indexed> {
    return new Map(
      resources.map((r) => [r.address, { value: r.value, json: r.kind === 'map' ? undefined : this.of(r) }]),
    );
  }

  /** A resource's JSON, by identity of its value. */
  private of(r: Resource): string {
    let text = this.json.get(r.value);
    if (text === undefined) {
      text = JSON.stringify(r.value);
      this.json.set(r.value, text);
    }
    return `{"address":${JSON.stringify(r.address)},"kind":"${r.kind}","value":${text}}`;
  }

  private slotsJson(slots: [string, SlotAssignment][]): string {
    const parts = slots.map(([name, assignment]) => {
      let text = this.json.get(assignment);
      if (text === undefined) {
        text = JSON.stringify(assignment);
        this.json.set(assignment, text);
      }
      return `${JSON.stringify(name)}:${text}`;
    });
    return `{${parts.join(',')}}`;
  }
}

/** The slot assignments of the key's backends. */
function slotsOf(state: SavedState, resources: readonly Resource[]): [string, SlotAssignment][] {
  const out: [string, SlotAssignment][] = [];
  const seen = new Set<string>();
  for (const r of resources) {
    if (r.kind !== 'backend' || seen.has(r.value.name)) continue;
    seen.add(r.value.name);
    const assignment = state.slots[r.value.name];
    if (assignment) out.push([r.value.name, assignment]);
  }
  return out;
}

function sameEntry(a: MapEntry, b: MapEntry): boolean {
  return a === b || (a.key === b.key && a.value === b.value);
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {}
}
