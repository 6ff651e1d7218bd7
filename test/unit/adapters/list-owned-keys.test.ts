// listOwnedKeys of the fake and HAProxy adapters (aws-elbv2's runs against the emulator, in
// test/integration/aws-elbv2/list-owned.test.ts).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeAdapter } from '#adapters/fake/adapter.js';
import { createHaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { AbortedError } from '#adapters/types.js';
import { lbKey } from '#core/ir/lb-key.js';
import { ownershipTags } from '#core/naming/ownership-tags.js';

const signal = new AbortController().signal;
const aborted = AbortSignal.abort();
const lbValue = { scheme: 'internet-facing' as const, sourceRanges: [] };

describe('fake adapter: listOwnedKeys', () => {
  it("lists the keys this cluster's ownership tags name, nothing unowned or of another cluster", async () => {
    const fake = createFakeAdapter();
    const a = lbKey('c1', 'Gateway', 'ns', 'a');
    const b = lbKey('c1', 'Service', 'ns', 'b');
    const other = lbKey('c2', 'Gateway', 'ns', 'a');
    fake.cloud.seed({
      address: 'fake/lb/a',
      kind: 'load-balancer',
      value: lbValue,
      tags: ownershipTags({ cluster: 'c1', lbKey: a, role: 'load-balancer' }),
    });
    fake.cloud.seed({
      address: 'fake/pool/b',
      kind: 'pool',
      value: {
        protocol: 'HTTP',
        port: 80,
        healthCheck: {
          protocol: 'TCP',
          intervalSeconds: 10,
          timeoutSeconds: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
        },
        targets: [],
      },
      tags: ownershipTags({ cluster: 'c1', lbKey: b, role: 'pool' }),
    });
    fake.cloud.seed({
      address: 'fake/lb/x',
      kind: 'load-balancer',
      value: lbValue,
      tags: ownershipTags({ cluster: 'c2', lbKey: other, role: 'load-balancer' }),
    });
    fake.cloud.seed({
      address: 'fake/lb/theirs',
      kind: 'load-balancer',
      value: lbValue,
      tags: { team: 'x' },
    });
    expect(await fake.listOwnedKeys!('c1', { signal })).toEqual({ keys: [a, b], complete: true });
    expect(await fake.listOwnedKeys!('c2', { signal })).toEqual({ keys: [other], complete: true });
    expect(await fake.listOwnedKeys!('c3', { signal })).toEqual({ keys: [], complete: true });
    fake.cloud.failListings();
    expect(await fake.listOwnedKeys!('c1', { signal })).toEqual({ keys: [], complete: false });
    await expect(fake.listOwnedKeys!('c1', { signal: aborted })).rejects.toBeInstanceOf(AbortedError);
    expect(fake.cloud.calls.filter((c) => !c.startsWith('list'))).toEqual([]);
  });
});

describe('haproxy adapter: listOwnedKeys', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists the keys of the saved state (HAProxy itself is not needed)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'portico-haproxy-keys-'));
    const a = lbKey('c1', 'Gateway', 'ns', 'a');
    const b = lbKey('c1', 'Ingress', 'ns', 'b');
    const other = lbKey('c2', 'Gateway', 'ns', 'a');
    const resource = { address: 'haproxy/frontend/x', kind: 'frontend', value: {} };
    await writeFile(
      join(dir, 'portico-state.json'),
      JSON.stringify({
        addresses: { [a]: '127.0.0.10' },
        resources: {
          [b]: [resource],
          [a]: [resource],
          [other]: [resource],
          [lbKey('c1', 'Gateway', 'ns', 'empty')]: [],
        },
        slots: {},
      }),
    );
    const adapter = createHaproxyAdapter({ stateDir: dir, addressPool: '127.0.0.10-127.0.0.20' });
    expect(await adapter.listOwnedKeys!('c1', { signal })).toEqual({ keys: [a, b], complete: true });
    expect(await adapter.listOwnedKeys!('c2', { signal })).toEqual({ keys: [other], complete: true });
    await expect(adapter.listOwnedKeys!('c1', { signal: aborted })).rejects.toBeInstanceOf(AbortedError);
  });
});
