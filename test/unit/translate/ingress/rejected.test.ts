import { describe, expect, it } from 'vitest';
import { readObjects } from '#core/model/read-objects.js';
import { createContext } from '#core/translate/context.js';
import { holdRejectedIngresses } from '#core/translate/ingress/rejected.js';
import { withDefaults } from '#core/translate/options.js';
import { ingress, ingressClass } from './fixtures.js';

function malformed(name: string, opts: Parameters<typeof ingress>[1]) {
  const o = ingress(name, { host: 'shop.example.com', ...opts });
  o.spec.rules[0]!.host = 'Not A Host';
  return o;
}

describe('rejected Ingresses', () => {
  it('hold their own load balancer when they are Portico’s, and only then', () => {
    const { bundle, rejected } = readObjects([
      ingressClass('portico'),
      malformed('ours', { className: 'portico' }),
      malformed('grouped', { className: 'portico', annotations: { 'portico.dev/group': 'g' } }),
      malformed('theirs', { className: 'nginx' }),
    ]);
    expect(rejected).toHaveLength(3);
    const ctx = createContext(bundle, withDefaults());
    holdRejectedIngresses(ctx, rejected);
    expect(ctx.held.map((h) => h.key)).toEqual(['local/Ingress/shop/ours']);
    expect(ctx.held[0]?.reason).toContain('spec.rules[0].host');
    expect(ctx.statuses.map((s) => [s.name, s.loadBalancers])).toEqual([
      ['ours', ['local/Ingress/shop/ours']],
      ['grouped', []],
    ]);
  });
});
