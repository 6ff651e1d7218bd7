import type { Match } from '#core/ir/load-balancer.js';
import type { HTTPRoute } from '#core/model/gateway-api.js';
import type { TranslateContext } from '../context.js';
import { translateHttpMatch } from './match.js';
import { type RuleInput, type RulesResult, translateRules } from './rules.js';

export function translateHttpRoute(ctx: TranslateContext, route: HTTPRoute): RulesResult {
  const inputs: RuleInput[] = (route.spec.rules ?? [{}]).map((rule, i) => {
    const specs = rule.matches?.length ? rule.matches : [{}];
    const matches: Match[] = [];
    for (const [j, m] of specs.entries()) {
      const r = translateHttpMatch(m, `spec.rules[${i}].matches[${j}]`);
      if (!r.ok) return { matches: { field: r.field, message: r.message }, prefixMatchOnly: false };
      matches.push(r.match);
    }
    return {
      matches,
      filters: rule.filters,
      backendRefs: rule.backendRefs,
      timeouts: rule.timeouts,
      retry: rule.retry,
      name: rule.name,
      prefixMatchOnly: matches.every((m) => m.path?.type === 'Prefix'),
    };
  });
  return translateRules(
    ctx,
    { kind: 'HTTPRoute', namespace: route.metadata.namespace!, name: route.metadata.name },
    inputs,
    'HTTP',
  );
}
