// Allow-lists for strings from routes that end up in proxy configuration. Adapters still escape for
// their own syntax; these checks make sure nothing that cannot be a valid HTTP element gets that far.

const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Exact or prefix path: absolute, URL-safe characters, no dot segments or encoded slashes (the API's own CEL rules). */
export function checkPathValue(value: string): string | undefined {
  if (!value.startsWith('/')) return 'must start with "/"';
  if (!/^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/.test(value)) return 'may contain only URL path characters';
  if (/\/\/|\/\.\/|\/\.\.\/|%2f|%2F/.test(value) || value.endsWith('/..') || value.endsWith('/.')) {
    return 'must not contain "//", "/./", "/../", "%2f" or "%2F", nor end with "/." or "/.."';
  }
  return undefined;
}

/** A regular expression from a route: bounded, printable, and compilable. */
export function checkRegex(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (CONTROL.test(value)) return 'must not contain control characters';
  try {
    new RegExp(value);
  } catch {
    return 'is not a valid regular expression';
  }
  return undefined;
}

/** Header values: no CR, LF, NUL or other control characters (tab is allowed, as in HTTP). */
export function checkHeaderValue(value: string): string | undefined {
  return CONTROL.test(value) ? 'must not contain control characters such as CR or LF' : undefined;
}

/** Query parameter names: the characters a URL query allows unencoded. */
export function checkQueryParamName(value: string): string | undefined {
  return /^[A-Za-z0-9\-._~!$'()*+,;:@%]+$/.test(value) ? undefined : 'may contain only URL query characters';
}

/** A precise DNS name (no wildcard), as used for redirects and rewrites. */
export function checkPreciseHostname(value: string): string | undefined {
  return value.length <= 253 &&
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(value)
    ? undefined
    : 'must be a lower-case DNS name without wildcard';
}
