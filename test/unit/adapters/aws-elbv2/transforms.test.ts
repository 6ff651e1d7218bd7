// URLRewrite as ALB rule transforms: applying each transform's regex and replacement the way ALB does
// (the first match replaced, `$n` naming capture groups; JavaScript's String.replace behaves alike for
// these patterns) gives the Gateway API's rewrite, query string kept.

import { describe, expect, it } from 'vitest';
import { ruleTransforms } from '#adapters/aws-elbv2/internal/transforms.js';
import type * as ir from '#core/ir/load-balancer.js';
import { forwardRoute } from '../ir-fixture.js';

const prefixRoute = (prefix: string, filters: ir.Filter[]) =>
  forwardRoute('rw', 'shop/api/80', {
    match: { path: { type: 'Prefix', value: prefix }, headers: [], queryParams: [] },
    filters,
  });

/** The URL (path and query) after the route's url-rewrite transform. */
function rewritten(route: ir.Route, url: string): string {
  const t = ruleTransforms(route).find((x) => x.type === 'url-rewrite')!;
  return url.replace(new RegExp(t.regex), t.replace);
}

describe('aws-elbv2 rule transforms', () => {
  it.each([
    ['/api', '/v2', '/api', '/v2'],
    ['/api', '/v2', '/api/', '/v2/'],
    ['/api', '/v2', '/api/users?id=1', '/v2/users?id=1'],
    ['/api/', '/v2/', '/api/users', '/v2/users'],
    ['/api', '/', '/api', '/'],
    ['/api', '/', '/api/users?x=a.b', '/users?x=a.b'],
    ['/api', '/', '/api?x', '/?x'],
    ['/', '/v2', '/users', '/v2/users'],
    ['/a.b', '/c', '/a.b/d', '/c/d'],
  ])('prefix %s → %s rewrites %s to %s', (prefix, value, url, expected) => {
    const route = prefixRoute(prefix, [{ type: 'URLRewrite', path: { type: 'ReplacePrefixMatch', value } }]);
    expect(rewritten(route, url)).toBe(expected);
  });

  it('replaces the full path and keeps the query; rewrites the whole Host', () => {
    const route = prefixRoute('/old', [
      { type: 'URLRewrite', hostname: 'new.example.com', path: { type: 'ReplaceFullPath', value: '/fixed' } },
    ]);
    expect(rewritten(route, '/old/deep/path?q=1')).toBe('/fixed?q=1');
    const host = ruleTransforms(route).find((x) => x.type === 'host-header-rewrite')!;
    expect('shop.example.com:8080'.replace(new RegExp(host.regex), host.replace)).toBe('new.example.com');
  });

  it('refuses a replacement with `$`, which ALB would read as a capture group', () => {
    const route = prefixRoute('/a', [
      { type: 'URLRewrite', path: { type: 'ReplaceFullPath', value: '/$1' } },
    ]);
    expect(() => ruleTransforms(route)).toThrow(/cannot take literally/);
  });

  it('has no transforms without a URLRewrite filter', () => {
    expect(ruleTransforms(prefixRoute('/a', []))).toEqual([]);
  });
});
