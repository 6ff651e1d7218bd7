import { describe, expect, it } from 'vitest';
import { conditionCost, matchConditions, prefixPatterns } from '#adapters/aws-elbv2/internal/conditions.js';
import { RouteError } from '#adapters/aws-elbv2/internal/route-error.js';
import type * as ir from '#core/ir/load-balancer.js';

const route = (match: Partial<ir.Match>, hostname?: string): ir.Route => ({
  id: 'r',
  source: { kind: 'HTTPRoute', namespace: 'ns', name: 'r' },
  wildcard: 'any-depth',
  ...(hostname ? { hostname } : {}),
  match: { headers: [], queryParams: [], ...match },
  filters: [],
  action: { type: 'fixed-response', statusCode: 200, reason: 'ok' },
});

describe('ALB conditions', () => {
  it('maps element-wise prefixes to two patterns', () => {
    expect(prefixPatterns('/')).toEqual(['/*']);
    expect(prefixPatterns('/foo')).toEqual(['/foo', '/foo/*']);
    expect(prefixPatterns('/foo/')).toEqual(['/foo', '/foo/*']);
    expect(prefixPatterns('/a/b//')).toEqual(['/a/b', '/a/b/*']);
  });

  it('refuses literal wildcards in paths and header values, escapes them in query strings', () => {
    expect(() => matchConditions(route({ path: { type: 'Exact', value: '/a*' } }))).toThrow(RouteError);
    expect(() => matchConditions(route({ path: { type: 'Prefix', value: '/a?' } }))).toThrow(RouteError);
    expect(() => matchConditions(route({ headers: [{ name: 'x-a', type: 'Exact', value: 'a?' }] }))).toThrow(
      /wildcards/,
    );
    expect(matchConditions(route({ queryParams: [{ name: 'q*', type: 'Exact', value: '?' }] }))).toEqual([
      { field: 'query-string', values: [{ key: 'q\\*', value: '\\?' }] },
    ]);
  });

  it('counts condition values, per-condition values and wildcards', () => {
    const cs = matchConditions(
      route(
        {
          path: { type: 'Prefix', value: '/api' },
          method: 'GET',
          queryParams: [{ name: 'a', type: 'Exact', value: '*' }],
        },
        '*.example.com',
      ),
    );
    expect(conditionCost(cs)).toEqual({ values: 5, maxPerCondition: 2, wildcards: 2 });
  });

  it('refuses host names ALB cannot hold and over-long values', () => {
    expect(() => matchConditions(route({}, 'localhost'))).toThrow(/dot/);
    expect(() => matchConditions(route({ path: { type: 'Exact', value: `/${'a'.repeat(128)}` } }))).toThrow(
      /128/,
    );
  });
});
