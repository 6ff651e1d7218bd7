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
function batchSafe(key: string, value: string): boolean {
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
