/**
 * Joins `fields` with `separator` within `max` characters. Long fields are cut first ("water
 * filling"): short fields such as a namespace stay whole while a long name gives way. Fields that
 * cannot get even one character are dropped from the end. The result is for humans only: callers
 * append a hash of the untrimmed input, which is what keeps names distinct (ingress-gce #537).
 */
export function trimFieldsEvenly(max: number, fields: readonly string[], separator = '-'): string {
  let kept = fields.filter((f) => f.length > 0);
  const budgetFor = (n: number) => max - (n - 1) * separator.length;
  while (kept.length > 0 && budgetFor(kept.length) < kept.length) kept = kept.slice(0, -1);
  if (kept.length === 0) return '';
  const budget = budgetFor(kept.length);
  const total = kept.reduce((sum, f) => sum + f.length, 0);
  if (total <= budget) return kept.join(separator);
  // Largest cap such that every field cut to it fits; the remainder goes to the earliest long fields.
  let cap = 0;
  while (kept.reduce((sum, f) => sum + Math.min(f.length, cap + 1), 0) <= budget) cap++;
  let spare = budget - kept.reduce((sum, f) => sum + Math.min(f.length, cap), 0);
  return kept
    .map((f) => {
      if (f.length <= cap) return f;
      const extra = spare > 0 ? 1 : 0;
      spare -= extra;
      return f.slice(0, cap + extra);
    })
    .join(separator);
}
