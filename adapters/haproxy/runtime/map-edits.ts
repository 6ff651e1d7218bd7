// Changing a running map entry by entry (`add map`, `set map`, `del map`) instead of replacing it
// whole (prepare, every entry, commit): a route add at 3,000 routes then sends three entries, not
// three maps of 3,000. Entry edits keep the order of the entries already there and append the new
// ones, so they are used only where the result looks up the same as the file:
//   any     map_str: a tree, order never matters (keys must be unique).
//   prefix  map_beg: first match in list order, and the entries that can match one input are all
//           prefixes of it, so only pairs of keys where one is a prefix of the other must keep their
//           order; a new key that is no such pair's member can go anywhere, the end included.
//   first-match  map_reg (and anything else): always replaced whole.
// Edits are not atomic across entries (a lookup between two commands sees some of them); each single
// route's entries go in before the entries of what it replaced go out.
//
// Cost: a route change edits a map of thousands of entries in one place. The edits are found in the
// part between the longest common head and tail of the two lists, with the key index of the running
// list kept from the previous call (by array identity) and updated by the edits; the whole-map
// comparison runs only where that part cannot decide (entries moved, or a prefix map's new key is
// related to another key).

import { commonEnds } from './common-ends.js';

export type MapOrder = 'any' | 'prefix' | 'first-match';

export type MapEntries = readonly (readonly [string, string])[];

export interface MapEdits {
  add: [string, string][];
  set: [string, string][];
  del: string[];
}

/**
 * The edits that turn running into wanted, or undefined when only a whole replace is right (the
 * order matters, keys repeat, or a key or value cannot go through a `;` batch unescaped).
 */
export function mapEdits(running: MapEntries, wanted: MapEntries, order: MapOrder): MapEdits | undefined {
  if (order === 'first-match') return undefined;
  const local = localEdits(running, wanted, order);
  if (local !== 'undecided') return local;
  return wholeMapEdits(running, wanted, order);
}

/** Key → value of an entry list with unique keys, by list identity (lists are never changed in place). */
const keyIndexes = new WeakMap<MapEntries, Map<string, string>>();

function keyIndex(entries: MapEntries): Map<string, string> | undefined {
  const known = keyIndexes.get(entries);
  if (known) return known;
  const index = uniqueKeys(entries);
  if (index) keyIndexes.set(entries, index);
  return index;
}

/**
 * The edits from the part where running and wanted differ (between their common head and tail):
 * undefined where a whole replace is right, 'undecided' where only the whole-map check can tell.
 */
function localEdits(
  running: MapEntries,
  wanted: MapEntries,
  order: MapOrder,
): MapEdits | undefined | 'undecided' {
  const index = keyIndex(running);
  if (!index) return undefined; // keys repeat
  const { head, tail } = commonEnds(running, wanted, sameEntry);
  const oldPart = running.slice(head, running.length - tail);
  const newPart = wanted.slice(head, wanted.length - tail);
  const oldKeys = new Map(oldPart);
  const newKeys = new Set<string>();
  const edits: MapEdits = { add: [], set: [], del: [] };
  for (const [k, v] of newPart) {
    // A key twice in wanted, or also in the common head or tail: keys repeat.
    if (newKeys.has(k) || (index.has(k) && !oldKeys.has(k))) return undefined;
    newKeys.add(k);
    const old = oldKeys.get(k);
    if (old === undefined) edits.add.push([k, v]);
    else if (old !== v) edits.set.push([k, v]);
  }
  for (const [k] of oldPart) if (!newKeys.has(k)) edits.del.push(k);
  if (![...edits.set, ...edits.del.map((k) => [k, ''] as const)].every(([k, v]) => batchSafe(k, v)))
    return undefined;
  if (order === 'prefix') {
    // Kept keys of the part must keep their order; an appended key must relate to no other key.
    const keptKeys = (part: MapEntries) =>
      part.filter(([k]) => oldKeys.has(k) && newKeys.has(k)).map(([k]) => k);
    const keptOld = keptKeys(oldPart);
    const keptNew = keptKeys(newPart);
    if (!keptOld.every((k, i) => k === keptNew[i])) return 'undecided';
    if (edits.add.length > 0) {
      // Appended keys run after every kept key and in wanted's order among themselves: none may be
      // related to a kept key (a deleted one no longer counts).
      const deleted = new Set(edits.del);
      const added = new Set(edits.add.map(([k]) => k));
      const stays = (k: string) => index.has(k) && !deleted.has(k) && !added.has(k);
      for (const a of added) for (let n = 1; n < a.length; n++) if (stays(a.slice(0, n))) return 'undecided';
      for (const k of index.keys()) {
        if (!stays(k)) continue;
        for (const a of added) if (k.length > a.length && k.startsWith(a)) return 'undecided';
      }
    }
  }
  // The index of wanted is running's with the edits: kept for the next change of this map.
  keyIndexes.delete(running);
  for (const k of edits.del) index.delete(k);
  for (const [k, v] of [...edits.add, ...edits.set]) index.set(k, v);
  keyIndexes.set(wanted, index);
  return edits;
}

function sameEntry(a: readonly [string, string], b: readonly [string, string]): boolean {
  return a === b || (a[0] === b[0] && a[1] === b[1]);
}

/** mapEdits over the whole of both lists. */
function wholeMapEdits(running: MapEntries, wanted: MapEntries, order: MapOrder): MapEdits | undefined {
  const before = uniqueKeys(running);
  const after = uniqueKeys(wanted);
  if (!before || !after) return undefined;
  const edits: MapEdits = { add: [], set: [], del: [] };
  for (const [k, v] of wanted) {
    const old = before.get(k);
    if (old === undefined) edits.add.push([k, v]);
    else if (old !== v) edits.set.push([k, v]);
  }
  for (const [k] of running) if (!after.has(k)) edits.del.push(k);
  if (![...edits.set, ...edits.del.map((k) => [k, ''] as const)].every(([k, v]) => batchSafe(k, v)))
    return undefined;
  if (order === 'prefix') {
    const result = [...running.filter(([k]) => after.has(k)), ...edits.add];
    if (!sameOrderWhereItMatters(result, wanted)) return undefined;
  }
  return edits;
}

/**
 * The running entries in wanted's order when they look up exactly as wanted does (see MapOrder), so
 * a map edited entry by entry is not reported as drift; otherwise running as it is.
 */
export function alignMapEntries<E extends readonly [string, string]>(
  running: readonly E[],
  wanted: readonly E[],
  order: MapOrder,
): readonly E[] {
  if (running.length !== wanted.length || order === 'first-match') return running;
  const edits = mapEdits(running, wanted, order);
  if (!edits || edits.add.length + edits.set.length + edits.del.length > 0) return running;
  return wanted;
}

function uniqueKeys(entries: MapEntries): Map<string, string> | undefined {
  const byKey = new Map<string, string>();
  for (const [k, v] of entries) {
    if (byKey.has(k)) return undefined;
    byKey.set(k, v);
  }
  return byKey;
}

/** `del map m k` / `set map m k v` in a `;` batch: one word each, nothing the CLI would unescape. */
export function batchSafe(key: string, value: string): boolean {
  return (
    /^[\x21-\x7e]+$/.test(key) && !/[;\\]/.test(key) && /^[\x21-\x7e]*$/.test(value) && !/[;\\]/.test(value)
  );
}

/** Every pair of keys where one is a prefix of the other comes in the same order in a and b. */
function sameOrderWhereItMatters(a: MapEntries, b: MapEntries): boolean {
  const sorted = b.map(([k]) => k).sort();
  const related = new Set<string>();
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j]!.startsWith(sorted[i]!); j++) {
      related.add(sorted[i]!);
      related.add(sorted[j]!);
    }
  }
  if (related.size === 0) return true;
  const inA = a.filter(([k]) => related.has(k)).map(([k]) => k);
  const inB = b.filter(([k]) => related.has(k)).map(([k]) => k);
  return inA.length === inB.length && inA.every((k, i) => k === inB[i]);
}
