import { describe, expect, it } from 'vitest';
import { DependencyGraph } from '#core/index/index.js';
import { changed, endpointSlice, gateway, httpRoute, namespace, secret, service } from './fixtures.js';

describe('DependencyGraph', () => {
  it('keeps reverse lookups in step with upserts, replacements and removals', () => {
    const g = new DependencyGraph('c1');
    const route = httpRoute('a', 'r', { parents: [{ name: 'gw' }], backends: [{ name: 'web' }] });
    g.upsert(route);
    g.upsert(endpointSlice('a', 's1', 'web'));
    expect(g.referrers({ kind: 'Service', namespace: 'a', name: 'web' })).toEqual([
      { from: { kind: 'EndpointSlice', namespace: 'a', name: 's1' }, types: ['endpointSliceOf'] },
      { from: { kind: 'HTTPRoute', namespace: 'a', name: 'r' }, types: ['backendRef'] },
    ]);
    g.upsert(
      changed(route, (r) => {
        r.spec.rules[0]!.backendRefs = [{ name: 'api', port: 80 }];
      }),
    );
    expect(g.referrers({ kind: 'Service', namespace: 'a', name: 'web' })).toHaveLength(1);
    expect(g.referrers({ kind: 'Service', namespace: 'a', name: 'api' })).toHaveLength(1);
    expect(g.remove('HTTPRoute', 'a', 'r')).toBe(true);
    expect(g.remove('HTTPRoute', 'a', 'r')).toBe(false);
    expect(g.referrers({ kind: 'Service', namespace: 'a', name: 'api' })).toEqual([]);
    expect(g.referrers({ kind: 'Gateway', namespace: 'a', name: 'gw' })).toEqual([]);
    expect(g.size).toBe(1);
  });

  it('indexes references across namespaces by target namespace', () => {
    const g = DependencyGraph.of([
      gateway('a', 'g', { listeners: [{ certificateRefs: [{ name: 'c', namespace: 'b' }] }] }),
      httpRoute('c', 'r', {
        parents: [{ name: 'g', namespace: 'a' }],
        backends: [{ name: 's', namespace: 'b' }],
      }),
      httpRoute('b', 'local', { backends: [{ name: 's' }] }),
    ]);
    expect(g.referrersInto('b')).toEqual([
      { kind: 'Gateway', namespace: 'a', name: 'g' },
      { kind: 'HTTPRoute', namespace: 'c', name: 'r' },
    ]);
    expect(g.referrersInto('a')).toEqual([{ kind: 'HTTPRoute', namespace: 'c', name: 'r' }]);
    g.removeObject(httpRoute('c', 'r'));
    expect(g.referrersInto('a')).toEqual([]);
    expect(g.referrersInto('b')).toEqual([{ kind: 'Gateway', namespace: 'a', name: 'g' }]);
  });

  it('lists by kind and namespace; defaults a missing namespace; ignores what it cannot identify', () => {
    const g = DependencyGraph.of([
      namespace('b'),
      namespace('a'),
      secret('a', 's'),
      { ...service('x', 'svc'), metadata: { name: 'svc' } },
      { kind: 'Deployment', metadata: { name: 'x' } },
      { kind: 'Secret', metadata: {} },
      null,
      'junk',
    ]);
    expect(g.size).toBe(4);
    expect(g.list('Namespace')).toEqual([
      { kind: 'Namespace', name: 'a' },
      { kind: 'Namespace', name: 'b' },
    ]);
    expect(g.list('Service', 'default')).toEqual([{ kind: 'Service', namespace: 'default', name: 'svc' }]);
    expect(g.list('Secret', 'b')).toEqual([]);
    expect(g.remove('Namespace', 'ignored', 'a')).toBe(true);
    expect(g.list('Namespace')).toEqual([{ kind: 'Namespace', name: 'b' }]);
  });
});
