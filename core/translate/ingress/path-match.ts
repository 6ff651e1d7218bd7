import type { PathMatch } from '#core/ir/load-balancer.js';
import type { IngressPath } from '#core/model/ingress.js';

export type PathResult = { ok: true; path: PathMatch; warning?: string } | { ok: false; message: string };

/** RFC 3986 path characters: no whitespace, control characters, `#`, `?`, quotes or backslashes. */
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
const MAX_PATH = 1024;

/**
 * An Ingress path as an IR path match. `Prefix` is element-wise in both, so only a trailing `/` is
 * dropped. `ImplementationSpecific` is Portico's to define: it is `Prefix`, so that a manifest written
 * for another controller keeps its most common meaning; without a path it matches everything.
 */
export function toPathMatch(p: IngressPath): PathResult {
  const value = p.path ?? '';
  if (value === '') {
    if (p.pathType === 'ImplementationSpecific') return { ok: true, path: { type: 'Prefix', value: '/' } };
    return { ok: false, message: `a path is required for pathType ${p.pathType}` };
  }
  const problem = checkPath(value);
  if (problem) return { ok: false, message: `path ${JSON.stringify(value.slice(0, 64))} ${problem}` };
  if (p.pathType === 'Exact') return { ok: true, path: { type: 'Exact', value } };
  const path: PathMatch = { type: 'Prefix', value: value.length > 1 ? value.replace(/\/$/, '') : value };
  if (p.pathType === 'ImplementationSpecific' && /[*()$]/.test(value)) {
    return {
      ok: true,
      path,
      warning: `ImplementationSpecific paths are prefixes in Portico, not regular expressions: ${JSON.stringify(value.slice(0, 64))} is matched literally`,
    };
  }
  return { ok: true, path };
}

/**
 * The rules the Ingress API applies to Exact and Prefix paths (absolute; no `//`, dot segments or
 * encoded slashes), plus an allow-list, since the value ends up in proxy configuration. They apply to
 * ImplementationSpecific too, which Portico treats as a prefix.
 */
function checkPath(value: string): string | undefined {
  if (value.length > MAX_PATH) return `is longer than ${MAX_PATH} characters`;
  if (!value.startsWith('/')) return 'must start with "/"';
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'must not contain control characters';
  if (/\s/.test(value)) return 'must not contain whitespace';
  if (value.includes('#')) return 'must not contain "#" (a fragment is never sent to the server)';
  if (value.includes('?')) return 'must not contain "?" (paths do not match query strings)';
  if (!PATH_CHARS.test(value)) return 'may contain only URL path characters (RFC 3986)';
  if (/%(?![0-9A-Fa-f]{2})/.test(value)) return 'has a "%" that does not start a percent-encoded byte';
  if (/\/\/|\/\.\/|\/\.\.\/|%2f/i.test(value) || /\/\.\.?$/.test(value)) {
    return 'must not contain "//", "/./", "/../" or "%2F", nor end with "/." or "/.."';
  }
  return undefined;
}
