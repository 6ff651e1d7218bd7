// One ALB listener's rules: one rule per IR route in IR order, plus a catch-all 404 per host where
// host-first routing needs one (host-scope.ts). Each route is checked on its own: a route ALB cannot
// express, or one over a quota, gets a notice and the others are still rendered.

import type * as ir from '#core/ir/load-balancer.js';
import type { AdapterNotice } from '../../types.js';
import type { RuleAction, RuleCondition, RuleTransform } from '../model.js';
import { ruleContentId } from '../naming.js';
import { type ActionContext, fixedResponse, ruleAction } from './actions.js';
import { hostCondition, matchConditions } from './conditions.js';
import { catchAllPositions } from './host-scope.js';
import { checkRuleConditions, type QuotaBudget } from './quotas.js';
import { RouteError } from './route-error.js';
import { ruleTransforms } from './transforms.js';

export interface PlannedRule {
  conditions: RuleCondition[];
  actions: RuleAction[];
  transforms: RuleTransform[];
  contentId: string;
  routes: string[];
}

export interface AlbRuleContext extends ActionContext {
  budget: QuotaBudget;
  /** Called once a route's rule is accepted: its target groups become part of the load balancer. */
  commit(targetGroups: readonly string[]): void;
}

/**
 * `irListener` is the listener as translated (for host-first decisions); `supported` holds the ids of
 * its routes that passed the capability check (the others already have notices).
 */
export function albRules(
  irListener: ir.Listener,
  supported: ReadonlySet<string>,
  ctx: AlbRuleContext,
): { rules: PlannedRule[]; notices: AdapterNotice[] } {
  const rules: PlannedRule[] = [];
  const byContent = new Map<string, PlannedRule>();
  const notices: AdapterNotice[] = [];
  const catchAlls = catchAllPositions(irListener.routes);
  const reserved = new Set<string>();
  let overflow: string | undefined;

  const notice = (route: ir.Route, n: Omit<AdapterNotice, 'source' | 'listener' | 'route'>) =>
    notices.push({ ...n, source: route.source, listener: irListener.id, route: route.id });
  const push = (rule: Omit<PlannedRule, 'contentId'>): PlannedRule => {
    const contentId = ruleContentId(rule.conditions, rule.actions, rule.transforms);
    const twin = byContent.get(contentId);
    // An identical earlier rule already answers every request this one would: share it.
    if (twin) {
      twin.routes.push(...rule.routes);
      return twin;
    }
    const planned = { ...rule, contentId };
    byContent.set(contentId, planned);
    rules.push(planned);
    return planned;
  };

  irListener.routes.forEach((route, i) => {
    const host = route.hostname;
    const needsCatchAll = host !== undefined && catchAlls.has(host);
    if (supported.has(route.id)) {
      if (overflow !== undefined)
        notice(route, {
          severity: 'error',
          code: 'LimitExceeded',
          feature: 'load-balancer/rules',
          message: `route ${route.id} left out: ${overflow}; lower-precedence routes are dropped first`,
        });
      else
        try {
          const matched = matchConditions(route);
          checkRuleConditions(matched, ctx.budget.limits);
          // ALB needs at least one condition: a route that matches everything gets `/*`.
          const conditions: RuleCondition[] =
            matched.length > 0 ? matched : [{ field: 'path-pattern', values: ['/*'] }];
          const { action, warnings } = ruleAction(route, ctx);
          // Rewrites only mean something on the way to targets; redirects carry their own.
          const transforms = action.type === 'forward' ? ruleTransforms(route) : [];
          const tgs = action.type === 'forward' ? action.targetGroups.map((t) => t.name) : [];
          const content = ruleContentId(conditions, [action], transforms);
          const slots = (byContent.has(content) ? 0 : 1) + (needsCatchAll && !reserved.has(host) ? 1 : 0);
          const taken = ctx.budget.take(slots, tgs);
          if (!taken.ok) {
            // Past the rule quota everything below is dropped; a full target-group quota only refuses
            // routes that need a new target group.
            if (taken.feature === 'load-balancer/rules') overflow = taken.message;
            notice(route, {
              severity: 'error',
              code: 'LimitExceeded',
              feature: taken.feature,
              message: `route ${route.id} left out: ${taken.message}; lower-precedence routes are dropped first`,
            });
          } else {
            if (needsCatchAll) reserved.add(host);
            ctx.commit(tgs);
            for (const w of warnings) notice(route, w);
            push({ conditions, actions: [action], transforms, routes: [route.id] });
          }
        } catch (err) {
          if (!(err instanceof RouteError)) throw err;
          notice(route, {
            severity: 'error',
            code: err.code,
            feature: err.feature,
            field: err.field,
            message: `route ${route.id} left out: ${err.message}`,
          });
        }
    }
    if (host !== undefined && catchAlls.get(host) === i) {
      // A rule whose only condition is this host already answers all of its requests.
      const hostOnly = JSON.stringify([safeHost(host)]);
      if (rules.some((r) => r.routes.length > 0 && JSON.stringify(r.conditions) === hostOnly)) {
        if (reserved.has(host)) ctx.budget.release(1);
        return;
      }
      let fits = reserved.has(host);
      // An invalid hostname has no catch-all: its routes were refused with a notice already.
      if (!fits && overflow === undefined && safeHost(host) !== undefined) {
        const taken = ctx.budget.take(1, []);
        if (taken.ok) fits = true;
        else overflow = taken.message;
      }
      if (fits)
        push({
          conditions: [hostCondition(host)],
          actions: [fixedResponse(404, 'not found')],
          transforms: [],
          routes: [],
        });
    }
  });
  return { rules, notices };
}

function safeHost(host: string): RuleCondition | undefined {
  try {
    return hostCondition(host);
  } catch {
    return undefined;
  }
}
