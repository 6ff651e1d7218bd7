import type {
  Action,
  BackendBucket,
  BackendPool,
  Filter,
  Match,
  Retry,
  Timeouts,
  WeightedBackend,
} from '#core/ir/load-balancer.js';
import type { HTTPBackendRef, HTTPRouteFilter, HTTPRouteRule, RouteKind } from '#core/model/gateway-api.js';
import type { PolicyUse } from '../backend/backend-tls.js';
import type { PoolUse } from '../backend/service-pool.js';
import type { TranslateContext } from '../context.js';
import { type RefProblem, resolveBackendRef } from './backend-refs.js';
import { parseDurationMs } from './duration.js';
import { type PartialRedirect, translateFilters } from './filters.js';
import { translateRetry } from './retry.js';

/** One (rule, match) of a route, before it is placed on listeners and hostnames. */
export interface RuleTemplate {
  rule: number;
  match: number;
  idBase: string;
  matchSpec: Match;
  filters: Filter[];
  /** A redirect is finished per listener (the request's scheme and port depend on it). */
  action: Action | { type: 'partial-redirect'; redirect: PartialRedirect };
  timeouts?: Timeouts;
  retry?: Retry;
  ruleName?: string;
}

/** What translating a route's rules found, for its status. */
export interface RulesResult {
  templates: RuleTemplate[];
  pools: BackendPool[];
  /** StorageBuckets the rules forward to. */
  buckets: BackendBucket[];
  /** → `ResolvedRefs=False` with the first reason. */
  refProblems: RefProblem[];
  /** BackendTLSPolicies of the Service ports used: each Gateway the route is placed on is their ancestor. */
  tlsPolicies: PolicyUse[];
  /** Rules left out because they are invalid → `PartiallyInvalid` (or `Accepted=False` when none is left). */
  droppedRules: { rule: number; field: string; message: string }[];
  /** Rules answered with 500 because a filter cannot be carried out. */
  failedRules: { rule: number; field: string; message: string; reason: 'InvalidKind' | 'UnsupportedValue' }[];
  ruleCount: number;
}

export interface RuleInput {
  matches: Match[] | { field: string; message: string };
  filters?: HTTPRouteFilter[] | undefined;
  backendRefs?: HTTPBackendRef[] | undefined;
  timeouts?: { request?: string | undefined; backendRequest?: string | undefined } | undefined;
  retry?: HTTPRouteRule['retry'];
  /** The rule's `name`, unique within the route. */
  name?: string | undefined;
  /** Every match is a path prefix (ReplacePrefixMatch needs it). */
  prefixMatchOnly: boolean;
}

/** Shared by HTTPRoute and GRPCRoute: rules in, templates + problems out. */
export function translateRules(
  ctx: TranslateContext,
  route: { kind: RouteKind; namespace: string; name: string },
  rules: readonly RuleInput[],
  use: PoolUse,
): RulesResult {
  const out: RulesResult = {
    templates: [],
    pools: [],
    buckets: [],
    refProblems: [],
    tlsPolicies: [],
    droppedRules: [],
    failedRules: [],
    ruleCount: rules.length,
  };
  const from = { kind: route.kind, namespace: route.namespace };
  const prefix = `${route.kind.toLowerCase()}/${route.namespace}/${route.name}`;
  const names = new Set<string>();
  for (const [i, rule] of rules.entries()) {
    const field = `spec.rules[${i}]`;
    if (!Array.isArray(rule.matches)) {
      out.droppedRules.push({ rule: i, ...rule.matches });
      continue;
    }
    if (rule.name !== undefined && names.has(rule.name)) {
      out.droppedRules.push({
        rule: i,
        field: `${field}.name`,
        message: `rule name ${rule.name} is already used by an earlier rule`,
      });
      continue;
    }
    if (rule.name !== undefined) names.add(rule.name);
    const f = translateFilters(ctx, from, rule.filters ?? [], `${field}.filters`, rule.prefixMatchOnly);
    const timeouts = translateTimeouts(rule.timeouts);
    const retry = translateRetry(rule.retry, `${field}.retry`);
    const invalid =
      f.invalid[0] ??
      (typeof timeouts === 'string' ? { field: `${field}.timeouts`, message: timeouts } : undefined) ??
      ('message' in retry ? retry : undefined);
    if (invalid) {
      out.droppedRules.push({ rule: i, ...invalid });
      continue;
    }
    out.refProblems.push(...f.refProblems);
    out.pools.push(...f.pools);
    out.tlsPolicies.push(...f.tlsPolicies);

    let action: RuleTemplate['action'];
    const unsupported = f.unsupported[0];
    if (unsupported) {
      out.failedRules.push({ rule: i, ...unsupported });
      action = { type: 'fixed-response', statusCode: 500, reason: 'unsupported filter' };
    } else if (f.redirect) {
      action = { type: 'partial-redirect', redirect: f.redirect };
    } else {
      const backends: WeightedBackend[] = [];
      (rule.backendRefs ?? []).forEach((ref, j) => {
        const resolved = resolveBackendRef(ctx, from, ref, use);
        const bf = translateFilters(
          ctx,
          from,
          ref.filters ?? [],
          `${field}.backendRefs[${j}].filters`,
          rule.prefixMatchOnly,
        );
        out.tlsPolicies.push(...(resolved.tlsPolicies ?? []), ...bf.tlsPolicies);
        if (resolved.problem) out.refProblems.push(resolved.problem);
        else if (resolved.bucket) out.buckets.push(resolved.bucket);
        else out.pools.push(resolved.pool);
        out.refProblems.push(...bf.refProblems);
        out.pools.push(...bf.pools);
        const broken =
          bf.invalid[0] ??
          bf.unsupported[0] ??
          (bf.redirect
            ? { field: `${field}.backendRefs[${j}].filters`, message: 'a backend cannot redirect' }
            : undefined);
        if (broken) {
          out.failedRules.push({
            rule: i,
            field: broken.field,
            message: broken.message,
            reason: 'UnsupportedValue',
          });
          backends.push({ pool: null, weight: ref.weight ?? 1, filters: [] });
        } else {
          backends.push({
            pool: resolved.pool?.id ?? null,
            ...(resolved.bucket ? { bucket: resolved.bucket.id } : {}),
            weight: ref.weight ?? 1,
            filters: bf.filters,
          });
        }
      });
      action = { type: 'forward', backends };
    }
    rule.matches.forEach((matchSpec, j) => {
      out.templates.push({
        rule: i,
        match: j,
        idBase: `${prefix}/rule/${i}/match/${j}`,
        matchSpec,
        filters: f.filters,
        action,
        ...(typeof timeouts === 'object' ? { timeouts } : {}),
        ...('retry' in retry && retry.retry ? { retry: retry.retry } : {}),
        ...(rule.name !== undefined ? { ruleName: rule.name } : {}),
      });
    });
  }
  return out;
}

/** `0s` disables a timeout, as the spec says. The backend timeout may not exceed the request timeout. */
function translateTimeouts(t: RuleInput['timeouts']): Timeouts | string | undefined {
  if (!t) return undefined;
  const request = t.request !== undefined ? parseDurationMs(t.request) : undefined;
  const backend = t.backendRequest !== undefined ? parseDurationMs(t.backendRequest) : undefined;
  if (
    (t.request !== undefined && request === undefined) ||
    (t.backendRequest !== undefined && backend === undefined)
  ) {
    return 'timeouts must be Gateway API durations';
  }
  if (request && backend && backend > request) return 'backendRequest must not exceed request';
  const out: Timeouts = {};
  if (request) out.requestMs = request;
  if (backend) out.backendRequestMs = backend;
  return Object.keys(out).length ? out : undefined;
}
