// What the provider emulators' fault injection shares: method/action patterns and a seeded random
// source, so that injected faults repeat from run to run.

/** A pattern over method or action names: a regular expression, or its source text. */
export type NamePattern = string | RegExp;

export function patternRegExp(p: NamePattern): RegExp;
export function patternRegExp(p: NamePattern | undefined): RegExp | undefined;
export function patternRegExp(p: NamePattern | undefined): RegExp | undefined {
  return p === undefined ? undefined : typeof p === 'string' ? new RegExp(p) : p;
}

/** mulberry32: a small deterministic PRNG in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
