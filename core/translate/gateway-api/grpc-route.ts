import type { Match } from '#core/ir/load-balancer.js';
import type { GRPCRoute, GRPCRouteMatch } from '#core/model/gateway-api.js';
import type { TranslateContext } from '../context.js';
import { translateHttpMatch } from './match.js';
import { type RuleInput, type RulesResult, translateRules } from './rules.js';
import { checkRegex } from './validate-strings.js';

/** gRPC service and method names: dotted identifiers (RegularExpression matches take a regex instead). */
const GRPC_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/**
 * GRPCRoute on HTTP/2: a gRPC call is `POST /<service>/<method>`, so method matches become path
 * matches (kept also in `match.grpc` for providers with native gRPC routing).
 */
export function translateGrpcRoute(ctx: TranslateContext, route: GRPCRoute): RulesResult {
  const inputs: RuleInput[] = (route.spec.rules ?? [{}]).map((rule, i) => {
    const specs = rule.matches?.length ? rule.matches : [{}];
    const matches: Match[] = [];
    for (const [j, m] of specs.entries()) {
      const field = `spec.rules[${i}].matches[${j}]`;
      const r = grpcMatch(m, field);
      if (typeof r === 'object' && 'message' in r) return { matches: r, prefixMatchOnly: false };
      matches.push(r);
    }
    return {
      matches,
      filters: rule.filters,
      backendRefs: rule.backendRefs,
      name: rule.name,
      prefixMatchOnly: false,
    };
  });
  return translateRules(
    ctx,
    { kind: 'GRPCRoute', namespace: route.metadata.namespace!, name: route.metadata.name },
    inputs,
    'GRPC',
  );
}

function grpcMatch(m: GRPCRouteMatch, field: string): Match | { field: string; message: string } {
  const headers = translateHttpMatch({ headers: m.headers }, field);
  if (!headers.ok) return { field: headers.field, message: headers.message };
  const base: Match = { headers: headers.match.headers, queryParams: [] };
  const method = m.method;
  if (!method || (method.service === undefined && method.method === undefined)) return base;
  const type = method.type ?? 'Exact';
  for (const part of ['service', 'method'] as const) {
    const value = method[part];
    if (value === undefined) continue;
    const problem =
      type === 'Exact' ? (GRPC_NAME.test(value) ? undefined : 'must be a gRPC name') : checkRegex(value);
    if (problem) return { field: `${field}.method.${part}`, message: problem };
  }
  const grpc = {
    type,
    ...(method.service ? { service: method.service } : {}),
    ...(method.method ? { method: method.method } : {}),
  };
  if (type === 'Exact') {
    if (method.service && method.method)
      return { ...base, grpc, path: { type: 'Exact', value: `/${method.service}/${method.method}` } };
    if (method.service) return { ...base, grpc, path: { type: 'Prefix', value: `/${method.service}` } };
    return {
      ...base,
      grpc,
      path: { type: 'RegularExpression', value: `^/[^/]+/${escapeRegex(method.method!)}$` },
    };
  }
  return {
    ...base,
    grpc,
    path: { type: 'RegularExpression', value: `^/${method.service ?? '[^/]+'}/${method.method ?? '[^/]+'}$` },
  };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
