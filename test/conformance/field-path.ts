// Field paths of the scenario format: dotted segments with `[i]` list indexes and `["key"]` map keys that
// contain dots, e.g. `spec.listeners[0].port`, `data["ca.crt"]`.

export type PathSegment = string | number;

export function parseFieldPath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  const re = /\.?([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/gy;
  let consumed = 0;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(`"${m[3] ?? ''}"`) as string);
    consumed = re.lastIndex;
  }
  if (consumed !== path.length || out.length === 0) throw new Error(`bad field path ${JSON.stringify(path)}`);
  return out;
}

export function getField(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of parseFieldPath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** Sets `path` to `value`, creating maps (or lists, for a numeric next segment) on the way. */
export function setField(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = parseFieldPath(path);
  let cur: Record<string | number, unknown> = obj;
  for (const [i, seg] of segs.entries()) {
    if (i === segs.length - 1) {
      cur[seg] = structuredClone(value);
      return;
    }
    let next = cur[seg];
    if (next === null || typeof next !== 'object') {
      next = typeof segs[i + 1] === 'number' ? [] : {};
      cur[seg] = next;
    }
    cur = next as Record<string | number, unknown>;
  }
}
