import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHttpRouteMemo } from '#adapters/haproxy/config/http-frontend.js';
import type { HaproxyKinds } from '#adapters/haproxy/model.js';
import { renderHaproxy } from '#adapters/haproxy/render.js';
import type { Rendered } from '#adapters/types.js';
import { IncrementalTranslate } from '#core/translate/incremental-translate.js';
import { propGateway } from '../../bench/haproxy/profile-gateway.js';

// The HAProxy render kept between renders (route by route: config/http-frontend-state.ts) equals a
// render from nothing: two Gateways (three HTTP listeners, one with a hostname) share Services and
// a random sequence of HTTPRoute adds, changes and deletes goes through IncrementalTranslate, which
// keeps unchanged IR routes as the same objects, as the adapter sees them. After each step both load
// balancers are rendered with the one memo the sequence shares: resources and notices must equal a
// fresh render's, and a resource whose value did not change must be the very object the last render
// returned (the planner and apply skip it by identity).

const RUNS = Number(process.env.INCREMENTAL_RENDER_PROPERTY_RUNS ?? 80);
const NS = 'prop';
const POOL = ['10.0.0.1', '10.0.0.2'];
const KEYS = [`prop/Gateway/${NS}/prop`, `prop/Gateway/${NS}/second`];

const base = [
  ...propGateway({ namespace: NS, listenerPort: 8080, backendPort: 9000, backendAddress: '10.1.0.1' }),
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'second', namespace: NS },
    spec: {
      gatewayClassName: 'portico',
      listeners: [
        { name: 'plain', port: 8081, protocol: 'HTTP' },
        { name: 'wild', port: 8082, protocol: 'HTTP', hostname: '*.example.com' },
      ],
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'backend-b', namespace: NS },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 9001 }] },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'b-slice', namespace: NS, labels: { 'kubernetes.io/service-name': 'backend-b' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 9001 }],
    endpoints: [{ addresses: ['10.1.0.2'], conditions: { ready: true } }],
  },
];

const hostnameArb = fc.constantFrom(
  'a.example.com',
  'b.example.com',
  'x.a.example.com',
  '*.example.com',
  '*.a.example.com',
);
const pathArb = fc.record({
  type: fc.constantFrom('PathPrefix', 'PathPrefix', 'Exact', 'RegularExpression'),
  value: fc.constantFrom('/', '/x', '/x/y', '/y', '/x/y/z', '/a b'),
});
const matchArb = fc.record(
  {
    path: pathArb,
    headers: fc.array(
      fc.record({
        type: fc.constantFrom('Exact', 'Exact', 'RegularExpression'),
        name: fc.constantFrom('x-a', 'x-b'),
        value: fc.constantFrom('1', '2', 'v.*'),
      }),
      { maxLength: 2 },
    ),
    queryParams: fc.array(fc.record({ name: fc.constantFrom('q'), value: fc.constantFrom('1', '2') }), {
      maxLength: 1,
    }),
    method: fc.constantFrom('GET', 'POST'),
  },
  { requiredKeys: ['path'] },
);
const filterArb = fc.oneof(
  fc.constant({
    type: 'RequestHeaderModifier',
    requestHeaderModifier: { set: [{ name: 'x-set', value: 'v' }] },
  }),
  // A value HAProxy cannot be given safely: the route is left out with a notice.
  fc.constant({
    type: 'RequestHeaderModifier',
    requestHeaderModifier: { set: [{ name: 'x-bad', value: 'a\u0007b' }] },
  }),
  fc.constant({
    type: 'ResponseHeaderModifier',
    responseHeaderModifier: { add: [{ name: 'x-add', value: 'w' }] },
  }),
  fc.constant({ type: 'RequestRedirect', requestRedirect: { statusCode: 301, hostname: 'c.example.com' } }),
  fc.constant({
    type: 'URLRewrite',
    urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/new' } },
  }),
  // Unsupported by HAProxy: the route is left out with a notice.
  fc.constant({ type: 'RequestMirror', requestMirror: { backendRef: { name: 'backend-b', port: 80 } } }),
);
const backendRefsArb = fc.constantFrom(
  [{ name: 'backend-a', port: 80 }],
  [{ name: 'backend-b', port: 80 }],
  [
    { name: 'backend-a', port: 80, weight: 3 },
    { name: 'backend-b', port: 80, weight: 1 },
  ],
  [{ name: 'missing', port: 80 }],
);
const ruleArb = fc.record(
  {
    matches: fc.array(matchArb, { minLength: 1, maxLength: 2 }),
    filters: fc.array(filterArb, { maxLength: 1 }),
    backendRefs: backendRefsArb,
    // A backoff HAProxy cannot honour is a warning; the retry backends differ from the plain ones.
    retry: fc.constantFrom({ attempts: 2, backoff: '1s' }, { codes: [503], attempts: 1 }),
  },
  { requiredKeys: ['matches', 'backendRefs'] },
);
const parentRefsArb = fc.constantFrom(
  [{ name: 'prop' }],
  [{ name: 'second' }],
  [{ name: 'prop' }, { name: 'second' }],
  [{ name: 'second', sectionName: 'wild' }],
);
const specArb = fc.record({
  parentRefs: parentRefsArb,
  hostnames: fc.uniqueArray(hostnameArb, { maxLength: 2 }),
  rules: fc.array(ruleArb, { minLength: 1, maxLength: 2 }),
});
const httpRoute = (name: string, spec: unknown) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: NS },
  spec,
});

/** One step: route `slot` gets `spec` (added or changed), or is deleted (undefined). */
const stepArb = fc.record({
  slot: fc.integer({ min: 0, max: 11 }),
  spec: fc.option(specArb, { nil: undefined, freq: 4 }),
});

type Resources = Rendered<HaproxyKinds>['resources'];

describe('HAProxy render kept route by route', () => {
  it('after any sequence of route adds, changes and deletes, renders what a fresh render gives', () => {
    let kept = 0;
    fc.assert(
      fc.property(
        fc.array(fc.option(specArb, { nil: undefined }), { minLength: 12, maxLength: 12 }),
        fc.array(stepArb, { minLength: 1, maxLength: 15 }),
        (initial, steps) => {
          const t = new IncrementalTranslate({ cluster: 'prop' });
          const routes = initial.map((spec, i) => (spec ? httpRoute(`r${i}`, spec) : undefined));
          t.apply([...base, ...routes.filter((r) => r !== undefined)].map((o) => ({ new: o })));
          const routeMemo = createHttpRouteMemo();
          const last = new Map<string, Resources>();
          const check = () => {
            for (const key of KEYS) {
              const lb = t.get(key)?.lb;
              if (!lb) continue;
              const warm = renderHaproxy(lb, { pool: POOL, routeMemo });
              expect(warm).toEqual(renderHaproxy(lb, { pool: POOL }));
              const before = new Map((last.get(key) ?? []).map((r) => [r.address, r]));
              for (const r of warm.resources) {
                const b = before.get(r.address);
                if (b === undefined || JSON.stringify(b.value) !== JSON.stringify(r.value)) continue;
                expect(r, `${r.address} did not change: the same object`).toBe(b);
                kept++;
              }
              last.set(key, warm.resources);
            }
          };
          check();
          for (const { slot, spec } of steps) {
            const old = routes[slot];
            routes[slot] = spec ? httpRoute(`r${slot}`, spec) : undefined;
            if (old === undefined && routes[slot] === undefined) continue;
            t.apply([{ ...(old ? { old } : {}), ...(routes[slot] ? { new: routes[slot] } : {}) }]);
            check();
          }
        },
      ),
      { numRuns: RUNS },
    );
    // Resources were kept as the same objects across renders, or the identity check proves nothing.
    expect(kept).toBeGreaterThan(RUNS);
  });
});
