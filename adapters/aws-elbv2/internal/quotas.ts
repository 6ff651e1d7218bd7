// ELBv2 quotas, checked before any call so that one route over a limit gets a LimitExceeded notice
// and everything else is still programmed (AWS LBC fails the whole group instead: #2011, #3870).

import { ELBV2_LIMITS } from '../capabilities.js';
import type { RuleCondition } from '../model.js';
import { conditionCost } from './conditions.js';
import { RouteError } from './route-error.js';

export type Elbv2Limits = { -readonly [K in keyof typeof ELBV2_LIMITS]: number };

/** Throws a LimitExceeded RouteError when one rule's conditions exceed ALB's per-rule quotas. */
export function checkRuleConditions(
  conditions: readonly RuleCondition[],
  limits: Elbv2Limits = ELBV2_LIMITS,
): void {
  const cost = conditionCost(conditions);
  if (cost.values > limits.conditionValuesPerRule)
    throw new RouteError(
      'LimitExceeded',
      'rule/condition-values',
      'match',
      `${cost.values} condition values (a Prefix path counts 2, the host 1); an ALB rule holds ${limits.conditionValuesPerRule}`,
    );
  if (cost.maxPerCondition > limits.valuesPerCondition)
    throw new RouteError(
      'LimitExceeded',
      'rule/condition-values-per-condition',
      'match',
      `${cost.maxPerCondition} values in one condition; ALB allows ${limits.valuesPerCondition}`,
    );
  if (cost.wildcards > limits.wildcardsPerRule)
    throw new RouteError(
      'LimitExceeded',
      'rule/wildcards',
      'match',
      `${cost.wildcards} wildcards in one rule; ALB allows ${limits.wildcardsPerRule}`,
    );
}

/**
 * Per-load-balancer counters: rules (all listeners together) and distinct target groups. `take`
 * either reserves everything asked or nothing, so a refused route leaves no half-reserved state.
 */
export class QuotaBudget {
  private rules = 0;
  private readonly targetGroups = new Set<string>();

  constructor(readonly limits: Elbv2Limits = { ...ELBV2_LIMITS }) {}

  /** Reserve `rules` rules and the given target groups, or explain which quota is full. */
  take(
    rules: number,
    targetGroups: readonly string[],
  ): { ok: true } | { ok: false; feature: string; message: string } {
    if (this.rules + rules > this.limits.rulesPerLoadBalancer)
      return {
        ok: false,
        feature: 'load-balancer/rules',
        message: `the load balancer already has ${this.rules} rules; ALB allows ${this.limits.rulesPerLoadBalancer}`,
      };
    const fresh = new Set(targetGroups.filter((t) => !this.targetGroups.has(t)));
    if (this.targetGroups.size + fresh.size > this.limits.targetGroupsPerLoadBalancer)
      return {
        ok: false,
        feature: 'load-balancer/target-groups',
        message: `${this.targetGroups.size + fresh.size} target groups; a load balancer uses at most ${this.limits.targetGroupsPerLoadBalancer}`,
      };
    this.rules += rules;
    for (const t of fresh) this.targetGroups.add(t);
    return { ok: true };
  }

  /** Give back rules reserved but not needed (a catch-all made redundant by its host's own rules). */
  release(rules: number): void {
    this.rules = Math.max(0, this.rules - rules);
  }

  get ruleCount(): number {
    return this.rules;
  }
}
