// How far two versions of a long list agree from each end. A route change edits a map of thousands
// of entries in one place: what lies between the common head and the common tail is all that needs
// looking at (map edits, a map file's lines, its saved JSON); the rest is reused as it was.

/** The lengths of the longest common head and tail of `a` and `b`, never overlapping in either. */
export function commonEnds<A, B>(
  a: readonly A[],
  b: readonly B[],
  same: (x: A, y: B) => boolean,
): { head: number; tail: number } {
  const shorter = Math.min(a.length, b.length);
  let head = 0;
  while (head < shorter && same(a[head]!, b[head]!)) head++;
  let tail = 0;
  while (tail < shorter - head && same(a[a.length - 1 - tail]!, b[b.length - 1 - tail]!)) tail++;
  return { head, tail };
}

/**
 * `next` mapped by `render`, reusing `previous`'s output for the common head and tail (where
 * `same` holds, previous[i] was rendered from an equal item).
 */
export function renderReusing<T, R>(
  previous: { items: readonly T[]; rendered: readonly R[] } | undefined,
  next: readonly T[],
  same: (x: T, y: T) => boolean,
  render: (item: T) => R,
): R[] {
  if (!previous) return next.map(render);
  const { head, tail } = commonEnds(previous.items, next, same);
  const rendered = previous.rendered;
  return [
    ...rendered.slice(0, head),
    ...next.slice(head, next.length - tail).map(render),
    ...rendered.slice(rendered.length - tail),
  ];
}
