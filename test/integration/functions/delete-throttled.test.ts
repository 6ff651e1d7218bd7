// A Gateway deleted while the ELBv2 API throttles the reads observe needs, seen by a fresh reconcile
// container (its adapter remembers nothing): the delete must fail (SQS retries, then dead-letters),
// leave the key marked delete pending and the load balancer in place, never report success with a
// leak. Once the API answers again, a complete observe finishes the delete and clears the mark.
// The real reconcile handler, the real ELBv2 adapter and SDK, the stateful ELBv2 emulator.

import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElbv2Adapter } from '#adapters/aws-elbv2/adapter.js';
import { lbKey } from '#core/ir/lb-key.js';
import { reconcileMessage } from '#functions/queue/reconcile-message.js';
import { createReconcileHandler } from '#functions/reconcile/handler.js';
import { MemorySnapshotStore } from '#functions/store/memory-snapshot-store.js';
import { createElbv2Client, type Elbv2Emulator, startElbv2Emulator } from '#test/emulators/elbv2/index.js';
import { manifests, VPC } from '#test/integration/aws-elbv2/fixtures.js';
import { captureLogger } from '#test/support/capture-logger.js';
import { lambdaContext, listAll, sqsEvent } from '#test/unit/functions/pipeline-support.js';

const REGION = 'eu-west-1';
const CLUSTER = 'it';
const KEY = lbKey(CLUSTER, 'Gateway', 'shop', 'web');
let emu: Elbv2Emulator;
const clients: ElasticLoadBalancingV2Client[] = [];
let n = 0;

/** A reconcile function as a fresh container runs it: a new adapter, nothing remembered. */
function freshReconcile(store: MemorySnapshotStore) {
  const client = createElbv2Client(emu, { region: REGION, maxAttempts: 2 });
  clients.push(client);
  const handler = createReconcileHandler({
    store,
    adapters: { 'aws-elbv2': createElbv2Adapter({ client, region: REGION, cluster: CLUSTER }) },
    logger: captureLogger(),
  });
  return async () => {
    const message = reconcileMessage(KEY, ++n * 60_000, 1000);
    return (await handler(sqsEvent([message], 'reconcile.fifo'), lambdaContext(60_000))).batchItemFailures;
  };
}

/** The fixture's objects as the store keeps them (versioned). */
const objects = () =>
  (manifests() as { kind: string; metadata: Record<string, unknown> }[]).map((o, i) => ({
    ...o,
    metadata: { ...o.metadata, resourceVersion: String(100 + i), uid: `uid-${i}` },
  }));

beforeAll(async () => {
  emu = await startElbv2Emulator({ vpcId: VPC });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await emu?.close();
});

const PATTERNS = [
  '^DescribeLoadBalancers$',
  '^DescribeTags$',
  '^DescribeTargetGroups$',
  '^Describe(LoadBalancers|Tags|TargetGroups)$',
];

describe('reconcile: a Gateway deleted while ELBv2 throttles observe', () => {
  for (const pattern of PATTERNS) {
    it(`fails and stays delete pending under ${pattern}, then deletes everything`, async () => {
      emu.clearFaults();
      const store = new MemorySnapshotStore();
      const stored = objects();
      await listAll(store, stored, CLUSTER);
      expect(await freshReconcile(store)()).toEqual([]);
      const programmed = emu.service.counts(REGION);
      expect(programmed.loadBalancers).toBe(1);
      expect(programmed.targetGroups).toBeGreaterThan(0);

      const gw = stored.find((o) => o.kind === 'Gateway')!;
      await store.delete(CLUSTER, { kind: 'Gateway', namespace: 'shop', name: 'web' }, '999', {
        uid: gw.metadata.uid as string,
      });
      emu.setFaults({ throttleProbability: { pattern, probability: 1 } });
      expect(await freshReconcile(store)()).toHaveLength(1);
      expect(await freshReconcile(store)()).toHaveLength(1);
      expect(emu.stats().throttled).toBeGreaterThan(0);
      expect(await store.deletePendingKeys(CLUSTER)).toEqual([KEY]);
      expect(emu.service.counts(REGION)).toEqual(programmed);

      emu.clearFaults();
      expect(await freshReconcile(store)()).toEqual([]);
      expect(emu.service.counts(REGION)).toEqual({
        loadBalancers: 0,
        listeners: 0,
        rules: 0,
        targetGroups: 0,
      });
      expect(await store.deletePendingKeys(CLUSTER)).toEqual([]);
    });
  }
});
