// IR action → one ALB action. ALB cannot split between forward and fixed-response, so the share of
// unresolved backends (pool null) is dropped with a warning when anything else is live, and the rule
// answers 500 only when nothing is.

import type * as ir from '#core/ir/load-balancer.js';
import type { AdapterNotice } from '../../types.js';
import { ELBV2_LIMITS } from '../capabilities.js';
import type { RuleAction } from '../model.js';
import { RouteError } from './route-error.js';

/** ALB target-group weights are 0..999. */
const MAX_WEIGHT = 999;

export interface ActionContext {
  /** Target group name for a pool id, or why the pool has none. */
  targetGroup(pool: string): { name: string } | { reason: string };
}

export function fixedResponse(statusCode: number, body: string): RuleAction {
  return {
    type: 'fixed-response',
    statusCode: String(statusCode),
    contentType: 'text/plain',
    messageBody: body,
  };
}

/** The action, plus warnings for what was dropped while keeping the route. */
export function ruleAction(
  route: ir.Route,
  ctx: ActionContext,
): { action: RuleAction; warnings: Omit<AdapterNotice, 'source' | 'listener' | 'route'>[] } {
  const a = route.action;
  if (a.type === 'fixed-response') {
    if (!/^[245]\d\d$/.test(String(a.statusCode)))
      throw new RouteError(
        'UnsupportedValue',
        `action/fixed-response/status/${a.statusCode}`,
        'action.statusCode',
        `ALB fixed responses must be 2XX, 4XX or 5XX, not ${a.statusCode}`,
      );
    return { action: fixedResponse(a.statusCode, a.reason.slice(0, 1024)), warnings: [] };
  }
  if (a.type === 'redirect') return { action: redirect(a), warnings: [] };
  return forward(a, ctx);
}

function redirect(a: ir.RedirectAction): RuleAction {
  if (a.statusCode !== 301 && a.statusCode !== 302)
    throw new RouteError(
      'UnsupportedValue',
      `action/redirect/status/${a.statusCode}`,
      'action.statusCode',
      `ALB redirects are 301 or 302, not ${a.statusCode}`,
    );
  // `#{...}` are ALB placeholders: user text must not contain them.
  const literal = (v: string, field: string) => {
    if (v.includes('#{') || v.length > 128)
      throw new RouteError(
        'UnsupportedValue',
        `action/redirect/${field}`,
        `action.${field}`,
        `redirect ${field} ${JSON.stringify(v)}`,
      );
    return v;
  };
  let path = '/#{path}';
  if (a.path) {
    if (a.path.type !== 'ReplaceFullPath')
      throw new RouteError(
        'UnsupportedValue',
        `action/redirect/path/${a.path.type}`,
        'action.path',
        'ALB redirects can only replace the full path',
      );
    if (!a.path.value.startsWith('/'))
      throw new RouteError(
        'UnsupportedValue',
        'action/redirect/path',
        'action.path.value',
        'path must start with /',
      );
    path = literal(a.path.value, 'path');
  }
  return {
    type: 'redirect',
    protocol: a.scheme ? a.scheme.toUpperCase() : '#{protocol}',
    host: a.hostname !== undefined ? literal(a.hostname, 'hostname') : '#{host}',
    port: a.port !== undefined ? String(a.port) : '#{port}',
    path,
    query: '#{query}',
    statusCode: a.statusCode === 301 ? 'HTTP_301' : 'HTTP_302',
  };
}

function forward(
  a: ir.ForwardAction,
  ctx: ActionContext,
): { action: RuleAction; warnings: Omit<AdapterNotice, 'source' | 'listener' | 'route'>[] } {
  const warnings: Omit<AdapterNotice, 'source' | 'listener' | 'route'>[] = [];
  const weights = new Map<string, number>();
  a.backends.forEach((b, i) => {
    if (b.weight <= 0) return;
    const tg = b.pool === null ? { reason: 'the backend is unresolved' } : ctx.targetGroup(b.pool);
    // 'reason' → no target group: the pool is unresolved, left out, or of a protocol ALB cannot speak.
    if ('reason' in tg) {
      warnings.push({
        severity: 'warning',
        code: 'UnsupportedValue',
        feature: 'action/unresolved-backend-share',
        field: `action.backends[${i}]`,
        message:
          `backend ${i}${b.pool !== null ? ` (${b.pool})` : ''}: ${tg.reason}; ALB cannot answer its share with ` +
          '500 next to a forward, so its weight is left out',
        ...(b.pool !== null ? { pool: b.pool } : {}),
      });
      return;
    }
    // The same pool twice in a split: ALB rejects duplicate target groups, the weights add up.
    weights.set(tg.name, (weights.get(tg.name) ?? 0) + b.weight);
  });
  // Nothing live: 500 for everything is exactly the IR's meaning, nothing to warn about.
  if (weights.size === 0) return { action: fixedResponse(500, 'no backend available'), warnings: [] };
  if (weights.size > ELBV2_LIMITS.targetGroupsPerForwardAction)
    throw new RouteError(
      'LimitExceeded',
      'action/backends',
      'action.backends',
      `${weights.size} target groups in one forward action; ALB allows ${ELBV2_LIMITS.targetGroupsPerForwardAction}`,
    );
  return { action: { type: 'forward', targetGroups: scaleWeights(weights) }, warnings };
}

/** Relative weights into 1..999, keeping ratios as closely as integers allow. */
export function scaleWeights(weights: ReadonlyMap<string, number>): { name: string; weight: number }[] {
  const max = Math.max(...weights.values());
  const scale = max > MAX_WEIGHT ? MAX_WEIGHT / max : 1;
  return [...weights].map(([name, w]) => ({ name, weight: Math.max(1, Math.round(w * scale)) }));
}
