// Gateway API hostname semantics: `*.example.com` matches any name with at least one more label
// (`a.example.com`, `a.b.example.com`) but not `example.com` itself.

/** Whether `name` (exact or wildcard) is covered by `pattern` (exact or wildcard). */
export function hostnameCovers(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  if (!pattern.startsWith('*.')) return false;
  const suffix = pattern.slice(1); // `.example.com`
  const bare = name.startsWith('*.') ? name.slice(2) : name;
  return bare.endsWith(suffix) && bare.length > suffix.length;
}

/**
 * The hostnames a route answers for on a listener: the intersection of the listener's hostname
 * (absent = any) and the route's hostnames (empty = any). `undefined` in the result means "any host";
 * an empty result means the route and the listener share no hostname.
 */
export function intersectHostnames(
  listener: string | undefined,
  route: readonly string[],
): (string | undefined)[] {
  if (route.length === 0) return [listener];
  if (listener === undefined) return dedupe(route);
  const out: string[] = [];
  for (const h of route) {
    if (hostnameCovers(listener, h)) out.push(h);
    else if (hostnameCovers(h, listener)) out.push(listener);
  }
  return dedupe(out);
}

function dedupe<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
