import { describe, expect, it } from 'vitest';
import type { AnyRoute } from '#core/model/gateway-api.js';
import { readObjects } from '#core/model/read-objects.js';
import { type RouteTranslation, RouteTranslationMemo } from '#core/translate/gateway-api/route-memo.js';
import { gateway, gatewayClass, httpRoute, referenceGrant, secret, service } from '../../index/fixtures.js';

const translation = (): RouteTranslation => ({ parents: [], rules: new Map(), placed: [], placedOn: [] });

/** The memo after a translation of `objects` with an entry per route, then a begin with `next`. */
function keptAfter(objects: unknown[], next: unknown[]): Record<string, boolean> {
  const memo = new RouteTranslationMemo();
  const first = readObjects(objects).bundle;
  memo.begin(first, []);
  const routes = first.httpRoutes as AnyRoute[];
  for (const r of routes) memo.set(r, translation());
  memo.begin(readObjects(next).bundle, []);
  return Object.fromEntries(routes.map((r) => [r.metadata.name, memo.get(r) !== undefined]));
}

describe('RouteTranslationMemo', () => {
  const common = [
    gatewayClass('portico'),
    service('a', 'local'),
    service('b', 'remote'),
    httpRoute('a', 'same-namespace', { parents: [{ name: 'g' }], backends: [{ name: 'local' }] }),
    httpRoute('a', 'into-b', { parents: [{ name: 'g' }], backends: [{ name: 'remote', namespace: 'b' }] }),
  ];
  const grant = (name: string) =>
    referenceGrant('b', name, [{ kind: 'HTTPRoute', namespace: 'a' }], [{ kind: 'Service' }]);

  it('drops on a ReferenceGrant change only the entries of routes with a backend in its namespace', () => {
    const g = gateway('a', 'g');
    const objects = [...common, g, grant('one')];
    expect(keptAfter(objects, [...common, g, grant('two')])).toEqual({
      'same-namespace': true,
      'into-b': false,
    });
    // A grant of another namespace: no route reads it.
    const elsewhere = referenceGrant(
      'c',
      'x',
      [{ kind: 'HTTPRoute', namespace: 'a' }],
      [{ kind: 'Service' }],
    );
    expect(keptAfter(objects, [...objects, elsewhere])).toEqual({ 'same-namespace': true, 'into-b': true });
  });

  it('drops every entry on a ReferenceGrant change where the Gateway refers into its namespace', () => {
    // The Gateway's certificate is in b: the grant decides whether its listener is usable.
    const certificateIn = gateway('a', 'g', {
      listeners: [{ name: 'https', certificateRefs: [{ name: 'cert', namespace: 'b' }] }],
    });
    const cert = secret('b', 'cert');
    const objects = [...common, cert, certificateIn, grant('one')];
    expect(keptAfter(objects, [...common, cert, certificateIn, grant('two')])).toEqual({
      'same-namespace': false,
      'into-b': false,
    });
  });
});
