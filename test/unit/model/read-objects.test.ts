import { describe, expect, it } from 'vitest';
import { ReadCache } from '#core/model/read-cache.js';
import { readObjects } from '#core/model/read-objects.js';

const service = (port: number, resourceVersion: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'app', uid: 'u-1', resourceVersion },
  spec: { ports: [{ port }] },
});

describe('model: readObjects', () => {
  it('sorts objects by kind, defaults the namespace, ignores unknown kinds and reports malformed ones', () => {
    const { bundle, rejected, ignored } = readObjects([
      service(80, '1'),
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad' }, spec: { ports: [{ port: 0 }] } },
    ]);
    expect(bundle.services.map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).toEqual(['default/app']);
    expect(ignored).toBe(1);
    expect(rejected).toMatchObject([{ kind: 'Service', name: 'bad', field: 'spec.ports[0].port' }]);
  });

  it('reuses a check for a fresh copy of the same object version, and checks a new version again', () => {
    // Prepare
    const cache = new ReadCache();
    readObjects([service(80, '1')], cache);
    // Act: same uid and resourceVersion, different content (impossible from a real API server).
    const sameVersion = readObjects([service(0, '1')], cache);
    const newVersion = readObjects([service(0, '2')], cache);
    // Assess: the cached verdict stands for the version; the new version is checked on its own.
    expect(sameVersion.rejected).toHaveLength(0);
    expect(newVersion.rejected).toMatchObject([{ field: 'spec.ports[0].port' }]);
  });

  it('forgets the oldest entries past its limit', () => {
    const cache = new ReadCache(2);
    for (const v of ['1', '2', '3']) readObjects([service(80, v)], cache);
    expect(cache.size).toBe(2);
    expect(cache.get(ReadCache.keyOf('Service', service(80, '1'))!)).toBeUndefined();
    expect(cache.get(ReadCache.keyOf('Service', service(80, '3'))!)).toBeDefined();
  });
});
