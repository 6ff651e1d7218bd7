import type { BackendPool, Filter, Header, PathModifier, RedirectAction } from '#core/ir/load-balancer.js';
import type { HeaderModifier, HTTPRouteFilter, RouteKind } from '#core/model/gateway-api.js';
import type { PolicyUse } from '../backend/backend-tls.js';
import { isStorageBucketRef } from '../backend/storage-bucket.js';
import type { TranslateContext } from '../context.js';
import { type RefProblem, resolveBackendRef } from './backend-refs.js';
import { translateCors } from './cors.js';
import { checkHeaderValue, checkPathValue, checkPreciseHostname } from './validate-strings.js';

/** A redirect before the listener fills in what the request keeps (scheme and port). */
export type PartialRedirect = Omit<RedirectAction, 'type'>;

export interface FilterResult {
  filters: Filter[];
  redirect?: PartialRedirect;
  /** Invalid values: the rule cannot be programmed as written. */
  invalid: { field: string; message: string }[];
  /** Filters Portico cannot carry out: requests matching the rule must fail rather than skip them. */
  unsupported: { field: string; message: string; reason: 'InvalidKind' | 'UnsupportedValue' }[];
  /** Mirror backends that could not be resolved (the mirror is dropped, routing goes on). */
  refProblems: RefProblem[];
  pools: BackendPool[];
  /** BackendTLSPolicies of the mirror backends' Service ports. */
  tlsPolicies: PolicyUse[];
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

/**
 * Translates the filters of a rule (or of one backendRef). `prefixMatchOnly` tells whether every
 * match of the rule is a path prefix, which `ReplacePrefixMatch` requires.
 */
export function translateFilters(
  ctx: TranslateContext,
  from: { kind: RouteKind; namespace: string },
  filters: readonly HTTPRouteFilter[],
  field: string,
  prefixMatchOnly: boolean,
): FilterResult {
  const out: FilterResult = {
    filters: [],
    invalid: [],
    unsupported: [],
    refProblems: [],
    pools: [],
    tlsPolicies: [],
  };
  const seen = new Set<string>();
  for (const [i, f] of filters.entries()) {
    const at = `${field}[${i}]`;
    if (f.type !== 'RequestMirror') {
      if (seen.has(f.type)) out.invalid.push({ field: at, message: `filter ${f.type} may appear only once` });
      seen.add(f.type);
    }
    switch (f.type) {
      case 'RequestHeaderModifier':
      case 'ResponseHeaderModifier': {
        const mod = f.type === 'RequestHeaderModifier' ? f.requestHeaderModifier : f.responseHeaderModifier;
        if (!mod) {
          out.invalid.push({ field: at, message: `${f.type} needs its settings` });
          continue;
        }
        const checked = headerModifier(
          mod,
          `${at}.${f.type === 'RequestHeaderModifier' ? 'requestHeaderModifier' : 'responseHeaderModifier'}`,
          out,
        );
        out.filters.push({ type: f.type, ...checked });
        continue;
      }
      case 'RequestRedirect': {
        const r = f.requestRedirect;
        if (!r) {
          out.invalid.push({ field: at, message: 'RequestRedirect needs its settings' });
          continue;
        }
        const redirect: PartialRedirect = { statusCode: 302 };
        if (r.statusCode !== undefined) {
          if (!REDIRECT_CODES.has(r.statusCode)) {
            out.invalid.push({
              field: `${at}.requestRedirect.statusCode`,
              message: 'must be 301, 302, 303, 307 or 308',
            });
            continue;
          }
          redirect.statusCode = r.statusCode as PartialRedirect['statusCode'];
        }
        if (r.scheme) redirect.scheme = r.scheme;
        if (r.port !== undefined) redirect.port = r.port;
        if (r.hostname !== undefined) {
          const problem = checkPreciseHostname(r.hostname);
          if (problem) {
            out.invalid.push({ field: `${at}.requestRedirect.hostname`, message: problem });
            continue;
          }
          redirect.hostname = r.hostname;
        }
        if (r.path) {
          const path = pathModifier(r.path, `${at}.requestRedirect.path`, prefixMatchOnly, out);
          if (!path) continue;
          redirect.path = path;
        }
        out.redirect = redirect;
        continue;
      }
      case 'URLRewrite': {
        const r = f.urlRewrite;
        if (!r) {
          out.invalid.push({ field: at, message: 'URLRewrite needs its settings' });
          continue;
        }
        const filter: Filter & { type: 'URLRewrite' } = { type: 'URLRewrite' };
        if (r.hostname !== undefined) {
          const problem = checkPreciseHostname(r.hostname);
          if (problem) {
            out.invalid.push({ field: `${at}.urlRewrite.hostname`, message: problem });
            continue;
          }
          filter.hostname = r.hostname;
        }
        if (r.path) {
          const path = pathModifier(r.path, `${at}.urlRewrite.path`, prefixMatchOnly, out);
          if (!path) continue;
          filter.path = path;
        }
        out.filters.push(filter);
        continue;
      }
      case 'RequestMirror': {
        const m = f.requestMirror;
        if (!m) {
          out.invalid.push({ field: at, message: 'RequestMirror needs its settings' });
          continue;
        }
        // Decided by the reference alone: whether such a bucket exists does not change the answer.
        if (isStorageBucketRef(m.backendRef.group, m.backendRef.kind)) {
          out.refProblems.push({
            reason: 'InvalidKind',
            message: `requests are mirrored to Services only, not to StorageBucket ${m.backendRef.namespace ?? from.namespace}/${m.backendRef.name}`,
          });
          continue;
        }
        const resolved = resolveBackendRef(ctx, from, m.backendRef, 'HTTP');
        out.tlsPolicies.push(...(resolved.tlsPolicies ?? []));
        if (!resolved.pool) {
          if (resolved.problem) out.refProblems.push(resolved.problem);
          continue;
        }
        const percent = m.fraction
          ? (100 * m.fraction.numerator) / (m.fraction.denominator ?? 100)
          : (m.percent ?? 100);
        if (percent > 100) {
          out.invalid.push({
            field: `${at}.requestMirror.fraction`,
            message: 'must not exceed 100%',
          });
          continue;
        }
        out.pools.push(resolved.pool);
        out.filters.push({ type: 'RequestMirror', pool: resolved.pool.id, percent });
        continue;
      }
      case 'CORS': {
        if (!f.cors) {
          out.invalid.push({ field: at, message: 'CORS needs its settings' });
          continue;
        }
        const cors = translateCors(f.cors, `${at}.cors`);
        if ('filter' in cors) out.filters.push(cors.filter);
        else out.invalid.push(cors);
        continue;
      }
      case 'ExtensionRef':
        out.unsupported.push({
          field: at,
          message: `extension filters (${f.extensionRef?.kind ?? 'unknown kind'}) are not supported`,
          reason: 'InvalidKind',
        });
        continue;
      default:
        out.unsupported.push({
          field: at,
          message: `filter type ${f.type} is not supported`,
          reason: 'UnsupportedValue',
        });
    }
  }
  if (out.redirect && out.filters.some((f) => f.type === 'URLRewrite')) {
    out.invalid.push({ field, message: 'RequestRedirect and URLRewrite cannot be used together' });
  }
  return out;
}

function headerModifier(
  mod: HeaderModifier,
  field: string,
  out: FilterResult,
): { set: Header[]; add: Header[]; remove: string[] } {
  const checkList = (list: { name: string; value: string }[] | undefined, name: string): Header[] =>
    (list ?? []).flatMap((h, i) => {
      const problem = checkHeaderValue(h.value);
      if (problem) {
        out.invalid.push({ field: `${field}.${name}[${i}].value`, message: problem });
        return [];
      }
      return [{ name: h.name, value: h.value }];
    });
  return { set: checkList(mod.set, 'set'), add: checkList(mod.add, 'add'), remove: [...(mod.remove ?? [])] };
}

function pathModifier(
  p: {
    type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
    replaceFullPath?: string | undefined;
    replacePrefixMatch?: string | undefined;
  },
  field: string,
  prefixMatchOnly: boolean,
  out: FilterResult,
): PathModifier | undefined {
  const value = p.type === 'ReplaceFullPath' ? p.replaceFullPath : p.replacePrefixMatch;
  if (value === undefined) {
    out.invalid.push({ field, message: `${p.type} needs a value` });
    return undefined;
  }
  if (p.type === 'ReplacePrefixMatch' && !prefixMatchOnly) {
    out.invalid.push({
      field,
      message: 'ReplacePrefixMatch needs every match of the rule to be a PathPrefix match',
    });
    return undefined;
  }
  const problem = checkPathValue(value);
  if (problem) {
    out.invalid.push({ field, message: problem });
    return undefined;
  }
  return { type: p.type, value };
}
