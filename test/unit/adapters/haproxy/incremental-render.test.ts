import { describe, expect, it } from 'vitest';
import { createHttpRouteMemo, type HttpRouteMemo } from '#adapters/haproxy/config/http-frontend.js';
import type { HaproxyKinds } from '#adapters/haproxy/model.js';
import { routeTag } from '#adapters/haproxy/naming.js';
import { renderHaproxy } from '#adapters/haproxy/render.js';
import type { Rendered } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { forwardRoute, loadBalancer, pool } from '../ir-fixture.js';

// The render kept between renders (config/http-frontend-state.ts, config/route-memo.ts) in the
// cases the property test (test/property/haproxy-incremental-render.property.test.ts) does not
// reach through the translation: kept routes in another order, a route object listed twice, two
// routes with one id, a listener's port or a pool changing; and which resources stay the same objects.

const POOL = ['10.0.0.1'];

const onPath = (name: string, path: string, extra: Partial<ir.Route> = {}) =>
  forwardRoute(name, 'shop/api/80', {
    hostname: 'a.example.com',
    match: { path: { type: 'Prefix', value: path }, headers: [], queryParams: [] },
    ...extra,
  });
const withHeader = (name: string, value: string) =>
  onPath(name, '/x', {
    match: {
      path: { type: 'Prefix', value: '/x' },
      headers: [{ type: 'Exact', name: 'x-v', value }],
      queryParams: [],
    },
  });

function withRoutes(routes: ir.Route[], overrides: Partial<ir.Listener> = {}): ir.LoadBalancer {
  const lb = loadBalancer();
  return { ...lb, listeners: [{ ...lb.listeners[0]!, routes, ...overrides }] };
}

/** Renders with the memo and checks the result is what a render from nothing gives. */
function renderKept(lb: ir.LoadBalancer, routeMemo: HttpRouteMemo): Rendered<HaproxyKinds> {
  const kept = renderHaproxy(lb, { pool: POOL, routeMemo });
  expect(kept).toEqual(renderHaproxy(lb, { pool: POOL }));
  return kept;
}

const byAddress = (r: Rendered<HaproxyKinds>) => new Map(r.resources.map((x) => [x.address, x]));

describe('HAProxy render kept between renders', () => {
  it('renders kept routes listed in another order as a fresh render does', () => {
    const memo = createHttpRouteMemo();
    const [a, b, c] = [withHeader('a', '1'), withHeader('b', '2'), onPath('c', '/y')];
    renderKept(withRoutes([a!, b!, c!]), memo);
    const r = renderKept(withRoutes([c!, b!, a!]), memo);
    // The rules map is in IR order: b's pattern now comes first.
    const rules = r.resources.find(
      (x) => x.kind === 'map' && x.value.match === 'reg' && x.value.entries.length > 0,
    );
    expect(rules?.kind === 'map' && rules.value.entries.map((e) => e.value)).toEqual(
      [b!, a!].map((x) => routeTag('HTTP-80', x.id)),
    );
  });

  it('renders a route object listed twice, and the renders after it, as a fresh render does', () => {
    const memo = createHttpRouteMemo();
    // With a filter: each listing adds its own frontend rules.
    const modified = (name: string, path: string) =>
      onPath(name, path, {
        filters: [{ type: 'RequestHeaderModifier', set: [{ name: 'x-a', value: '1' }], add: [], remove: [] }],
      });
    const [a, b, c] = [modified('a', '/a'), withHeader('b', '1'), modified('c', '/c')];
    renderKept(withRoutes([a!, b!]), memo);
    renderKept(withRoutes([a!, a!, b!]), memo);
    renderKept(withRoutes([a!, b!]), memo);
    renderKept(withRoutes([a!, c!, c!, b!]), memo);
    renderKept(withRoutes([a!, b!, onPath('d', '/d')]), memo);
    renderKept(withRoutes([b!]), memo);
  });

  it('renders two routes with one id (invalid IR) as a fresh render does', () => {
    // Weighted splits: both routes' targets map entries have the same keys (the tag is the id's).
    const split = (hostname: string, weight: number) =>
      onPath('a', '/a', {
        hostname,
        action: {
          type: 'forward',
          backends: [
            { pool: 'shop/api/80', weight, filters: [] },
            { pool: 'shop/site/80', weight: 1, filters: [] },
          ],
        },
      });
    const memo = createHttpRouteMemo();
    const [first, twin] = [split('a.example.com', 2), split('b.example.com', 3)];
    renderKept(withRoutes([first!]), memo);
    renderKept(withRoutes([twin!, first!]), memo);
    renderKept(withRoutes([twin!, onPath('c', '/c')]), memo);
  });

  it('takes removed routes out at the positions they had, the kept ones having moved past them', () => {
    const memo = createHttpRouteMemo();
    const exact = (name: string, path: string) =>
      onPath(name, path, { match: { path: { type: 'Exact', value: path }, headers: [], queryParams: [] } });
    const [k, r, p] = [exact('k', '/a/b'), onPath('r', '/a'), onPath('p', '/a')];
    const others = ['n1', 'n2', 'n3'].map((n) => onPath(n, '/', { hostname: `${n}.example.com` }));
    // k before r: the path maps agree with the IR order (r is no earlier ancestor of k).
    renderKept(withRoutes([k, r]), memo);
    // r removed while k moves past the position r had.
    renderKept(withRoutes([...others, k]), memo);
    // p, a Prefix /a before k: the maps would pick k for /a/b, the IR order says p.
    renderKept(withRoutes([p, ...others, k]), memo);
  });

  it('keeps the IR order when routes keep arriving in one place (positions numbered again)', () => {
    const memo = createHttpRouteMemo();
    const [zero, first, last] = [withHeader('zero', 'z'), withHeader('first', 'f'), withHeader('last', 'l')];
    let routes = [zero!, first!, last!];
    renderKept(withRoutes(routes), memo);
    // Each new route right after the first: halves the room between two kept routes every time.
    for (let i = 0; i < 70; i++) {
      routes = [...routes.slice(0, 2), withHeader(`r${i}`, String(i)), ...routes.slice(2)];
      renderKept(withRoutes(routes), memo);
    }
    // At the front and at the end, and one taken from the middle.
    routes = [withHeader('front', 'x'), ...routes.slice(0, 30), ...routes.slice(31), withHeader('end', 'y')];
    const r = renderKept(withRoutes(routes), memo);
    const rules = r.resources.find(
      (x) => x.kind === 'map' && x.value.match === 'reg' && x.value.entries.length > 0,
    );
    expect(rules?.kind === 'map' && rules.value.entries.length).toBe(routes.length);
  });

  it('compiles again when the listener port or a pool changes', () => {
    const memo = createHttpRouteMemo();
    const routes = [onPath('a', '/a'), withHeader('b', '1')];
    renderKept(withRoutes(routes), memo);
    renderKept(withRoutes(routes, { port: 8080 }), memo);
    // The pool gone: its routes get the 500 backend instead.
    const gone = renderKept({ ...withRoutes(routes, { port: 8080 }), pools: [pool('shop/site/80')] }, memo);
    expect(gone.resources.some((x) => x.kind === 'backend' && x.value.pool === 'shop/api/80')).toBe(false);
    renderKept({ ...withRoutes(routes), pools: [pool('shop/api/80', 'HTTP', ['10.0.0.9'])] }, memo);
  });

  it('returns the same resource objects for what did not change', () => {
    const memo = createHttpRouteMemo();
    const routes = [onPath('a', '/a'), onPath('b', '/b', { hostname: 'b.example.com' })];
    const lb = withRoutes(routes);
    const first = byAddress(renderKept(lb, memo));
    // The same IR again: every resource is the very same object.
    const again = renderKept(withRoutes([...routes]), memo);
    for (const r of again.resources) expect(r).toBe(first.get(r.address));
    // One plain route added on a new host: its host and path maps change, nothing else.
    const added = renderKept(withRoutes([...routes, onPath('c', '/c', { hostname: 'c.example.com' })]), memo);
    const changed = added.resources.filter((r) => r !== first.get(r.address));
    expect(changed.map((r) => r.kind)).toEqual(['map', 'map', 'map']);
    expect(changed.every((r) => r.kind === 'map' && r.value.entries.length > 0)).toBe(true);
  });
});

describe('a load balancer that is gone', () => {
  it('keeps nothing in the memo once forgotten: its frontends and its kept parts go', () => {
    const memo = createHttpRouteMemo();
    const lb = withRoutes([onPath('r1', '/a'), onPath('r2', '/b')]);
    renderKept(lb, memo);
    const frontends = [...memo.loadBalancer(lb.key).frontends];
    expect(frontends.length).toBeGreaterThan(0);
    expect(frontends.every((name) => memo.frontend(name) !== undefined)).toBe(true);
    memo.forget(lb.key);
    expect(frontends.map((name) => memo.frontend(name))).toEqual(frontends.map(() => undefined));
    expect(memo.loadBalancer(lb.key).last).toBeUndefined();
    expect(memo.loadBalancer(lb.key).pools.size).toBe(0);
  });
});
