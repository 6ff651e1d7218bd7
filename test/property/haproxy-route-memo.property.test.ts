import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHttpRouteMemo } from '#adapters/haproxy/config/http-frontend.js';
import { renderHaproxy } from '#adapters/haproxy/render.js';
import { translate } from '#core/translate/translate.js';
import { clusterArb, SLOTS } from '../unit/index/arbitraries.js';
import { CLUSTER } from '../unit/index/fixtures.js';

// The HAProxy render with compiled routes kept between renders (route-memo.ts) equals a cold render:
// a random small cluster goes through a random sequence of changes (routes, Services, EndpointSlices,
// Gateways, policies...); after each batch every load balancer rendered with the one memo the whole
// sequence shares gives the same resources and notices as a render from scratch.

const OPTIONS = { cluster: CLUSTER, supportedFeatures: { haproxy: ['Gateway', 'HTTPRoute'] } };
const RUNS = Number(process.env.ROUTE_MEMO_PROPERTY_RUNS ?? 150);
const POOL = ['10.0.0.1', '10.0.0.2'];

const stepArb = fc
  .integer({ min: 0, max: SLOTS.length - 1 })
  .chain((i) => fc.option(SLOTS[i]!, { nil: undefined, freq: 4 }).map((value) => ({ i, value })));
const batchArb = fc.array(stepArb, { minLength: 1, maxLength: 3 });

describe('HAProxy render with a route memo', () => {
  it('after any sequence of changes, renders what a cold render gives', () => {
    let reused = 0;
    fc.assert(
      fc.property(clusterArb, fc.array(batchArb, { minLength: 1, maxLength: 8 }), (initial, batches) => {
        const slots = [...initial];
        const routeMemo = createHttpRouteMemo();
        const check = () => {
          const { loadBalancers } = translate(
            slots.filter((o) => o !== undefined),
            OPTIONS,
          );
          for (const lb of loadBalancers) {
            const warm = renderHaproxy(lb, { pool: POOL, routeMemo });
            expect(warm).toEqual(renderHaproxy(lb, { pool: POOL }));
            if (lb.listeners.some((l) => l.routes.length > 0)) reused++;
          }
        };
        check();
        for (const batch of batches) {
          for (const { i, value } of batch) slots[i] = value;
          check();
        }
      }),
      { numRuns: RUNS },
    );
    // The property must have rendered load balancers with routes, or it proves nothing.
    expect(reused).toBeGreaterThan(RUNS);
  });
});
