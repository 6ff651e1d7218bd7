// A route's URLRewrite filter as ALB rule transforms (applied after the rule matched, before the
// request reaches the targets): `host-header-rewrite` replaces the whole Host, `url-rewrite` the path.
// The URL a url-rewrite sees is the path and the query string; both regexes keep the query.

import type * as ir from '#core/ir/load-balancer.js';
import type { RuleTransform } from '../model.js';
import { RouteError } from './route-error.js';

/** RewriteConfig.Regex and .Replace are at most 1,024 characters. */
const MAX_REWRITE_LENGTH = 1024;

export function ruleTransforms(route: ir.Route): RuleTransform[] {
  const rewrite = route.filters.find(
    (f): f is Extract<ir.Filter, { type: 'URLRewrite' }> => f.type === 'URLRewrite',
  );
  if (!rewrite) return [];
  const transforms: RuleTransform[] = [];
  if (rewrite.hostname !== undefined)
    transforms.push({
      type: 'host-header-rewrite',
      regex: '^.*$',
      replace: literal(rewrite.hostname, 'hostname'),
    });
  const path = rewrite.path;
  if (path?.type === 'ReplaceFullPath')
    transforms.push({ type: 'url-rewrite', regex: '^[^?]*', replace: literal(path.value, 'path') });
  else if (path?.type === 'ReplacePrefixMatch') {
    const match = route.match.path;
    if (match?.type !== 'Prefix')
      throw new RouteError(
        'UnsupportedValue',
        'filter/URLRewrite/path/ReplacePrefixMatch',
        'filters',
        'a prefix rewrite needs a Prefix path match',
      );
    const prefix = match.value.replace(/\/+$/, '');
    const value = literal(path.value, 'path').replace(/\/+$/, '');
    // Element-wise: `/foo` matched `/foo` or `/foo/…`; what follows the prefix is kept. A prefix
    // replaced by `/` drops the prefix's slash too, so `/foo/bar` → `/bar`, not `//bar`.
    transforms.push(
      value === ''
        ? { type: 'url-rewrite', regex: `^${escapeRegex(prefix)}/?(.*)$`, replace: '/$1' }
        : { type: 'url-rewrite', regex: `^${escapeRegex(prefix)}(.*)$`, replace: `${value}$1` },
    );
  }
  for (const t of transforms)
    if (t.regex.length > MAX_REWRITE_LENGTH || t.replace.length > MAX_REWRITE_LENGTH)
      throw new RouteError(
        'LimitExceeded',
        'filter/URLRewrite',
        'filters',
        `a rewrite's regex and replacement are at most ${MAX_REWRITE_LENGTH} characters`,
      );
  return transforms;
}

/** A replacement taken literally: `$` would name a capture group, and ALB has no escape for it. */
function literal(value: string, what: string): string {
  if (value.includes('$') || /[\0-\x1f\x7f]/.test(value))
    throw new RouteError(
      'UnsupportedValue',
      `filter/URLRewrite/${what}`,
      'filters',
      `the rewrite ${what} ${JSON.stringify(value)} holds '$' or control characters, which an ALB transform cannot take literally`,
    );
  return value;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
