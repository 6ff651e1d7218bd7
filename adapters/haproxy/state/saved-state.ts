// What the adapter keeps across restarts, next to the files HAProxy reads: the resources it last
// applied per load balancer (the reference observe reads the live files against, and what a start
// materializes), the slot each endpoint sits in, and the address each load balancer was given.
//
// One file per load balancer, `portico-state/<hash of the key>.json`, written when that load balancer
// is applied: a change costs its own load balancer's JSON, not everyone's (the JSON of a resource that
// did not change is kept from the last write, by identity). The older single `portico-state.json` is
// read when there is one, and replaced by the per-key files at the first save (written first, the
// old file removed last: a crash in between reads the old one again).

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { DesiredResource } from '#core/plan/types.js';
import type { SlotAssignment } from '../config/slots.js';
import type { HaproxyKinds } from '../model.js';
import { writeFileAtomic } from '../runtime/atomic-write.js';

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

/** One load balancer's part of the state, as its file holds it. */
interface KeyState {
  key: LbKey;
  address?: string;
  address6?: string;
  resources: DesiredResource<HaproxyKinds>[];
  idle?: DesiredResource<HaproxyKinds>[];
  /** The slot assignments of its backends (idle ones included). */
  slots: Record<string, SlotAssignment>;
}

/** The single file of earlier versions. */
const LEGACY_FILE = 'portico-state.json';
const KEY_DIR = 'portico-state';

export const emptyState = (): SavedState => ({ addresses: {}, resources: {}, slots: {} });

/** Synchronous: the factory loads it before anything else can run. */
export function loadSavedState(stateDir: string): SavedState {
  const legacy = readFileOrUndefined(join(stateDir, LEGACY_FILE));
  if (legacy !== undefined) {
    try {
      return JSON.parse(legacy) as SavedState;
    } catch {
      return emptyState();
    }
  }
  let names: string[];
  try {
    names = readdirSync(join(stateDir, KEY_DIR));
  } catch {
    return emptyState();
  }
  const state = emptyState();
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const text = readFileOrUndefined(join(stateDir, KEY_DIR, name));
    if (text === undefined) continue;
    try {
      addKeyState(state, JSON.parse(text) as KeyState);
    } catch {
      // A torn or foreign file: that load balancer is re-applied from scratch by its next reconcile.
    }
  }
  return state;
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
  const isRecord = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (text !== undefined) {
    const state = JSON.parse(text) as Partial<SavedState>;
    if (!isRecord(state.resources) || !isRecord(state.addresses))
      throw new Error(
        `${file} is not a state file of Portico's HAProxy adapter (no resources and addresses)`,
      );
    return state as SavedState;
  }
  const state = emptyState();
  const names = await readdir(join(stateDir, KEY_DIR)).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const path = join(stateDir, KEY_DIR, name);
    const part = JSON.parse(await readFile(path, 'utf8')) as Partial<KeyState>;
    if (typeof part.key !== 'string' || !Array.isArray(part.resources) || !isRecord(part.slots))
      throw new Error(`${path} is not a state file of Portico's HAProxy adapter (no key and resources)`);
    addKeyState(state, part as KeyState);
  }
  return state;
}

function addKeyState(state: SavedState, part: KeyState): void {
  if (typeof part.key !== 'string' || !Array.isArray(part.resources)) throw new Error('not a key state');
  state.resources[part.key] = part.resources;
  if (part.idle) {
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

function readFileOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Writes the state of the load balancers in `keys` (their files; the file of one that holds nothing
 * any more is removed). Keeps the JSON of each resource and slot assignment by identity, and the text
 * each file was last written with, so an unchanged part costs nothing.
 */
export class StateWriter {
  private readonly json = new WeakMap<object, string>();
  private readonly written = new Map<LbKey, string>();
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
    const path = join(
      this.stateDir,
      KEY_DIR,
      `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`,
    );
    const resources = state.resources[key];
    if (!resources || resources.length === 0) {
      if (this.written.get(key) !== '') await unlink(path).catch(() => undefined);
      this.written.set(key, '');
      return;
    }
    const idle = state.idle?.[key] ?? [];
    const slotNames = new Set<string>();
    for (const r of [...resources, ...idle]) if (r.kind === 'backend') slotNames.add(r.value.name);
    const slots = [...slotNames]
      .filter((name) => state.slots[name] !== undefined)
      .map((name) => `${JSON.stringify(name)}:${this.of(state.slots[name]!)}`);
    const address = state.addresses[key];
    const address6 = state.addresses6?.[key];
    const text = `{${[
      `"key":${JSON.stringify(key)}`,
      ...(address !== undefined ? [`"address":${JSON.stringify(address)}`] : []),
      ...(address6 !== undefined ? [`"address6":${JSON.stringify(address6)}`] : []),
      `"resources":[${resources.map((r) => this.of(r)).join(',')}]`,
      ...(idle.length > 0 ? [`"idle":[${idle.map((r) => this.of(r)).join(',')}]`] : []),
      `"slots":{${slots.join(',')}}`,
    ].join(',')}}\n`;
    const before = this.written.get(key);
    if (before === text) return;
    // Synced only when the addresses changed: they are the one thing a restart cannot work out again
    // (a lost resource list is re-applied by the next reconcile).
    const sync = before === undefined || addressesOf(before) !== addressesOf(text);
    await writeFileAtomic(path, text, 0o600, { sync });
    this.written.set(key, text);
  }

  private of(value: object): string {
    let text = this.json.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      this.json.set(value, text);
    }
    return text;
  }
}

/** The address fields of a key file's text (they come first, after the key). */
function addressesOf(text: string): string {
  return text.slice(0, text.indexOf('"resources":'));
}
