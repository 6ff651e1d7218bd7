import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSnapshotStore } from '#functions/store/dynamo-snapshot-store.js';
import { BY_KIND_INDEX, SNAPSHOT_TABLE } from '#functions/store/snapshot-table.js';
import { selectBundleFromStore } from '#functions/store/store-view.js';
import { gateway, gatewayClass, httpRoute, namespace } from '../../unit/index/fixtures.js';
import { describeSnapshotStore } from '../../unit/store/snapshot-store.contract.js';
import { type LocalDynamo, startDynalite } from './dynalite-server.js';

const TABLE = 'portico-snapshots';
let dynamo: LocalDynamo;
/** Every DynamoDB operation the stores sent (command names), to check the access paths. */
const commands: string[] = [];
/** DynamoDB requests in flight now, and the most at once since the last reset. */
const inFlight = { now: 0, most: 0 };

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createSnapshotTable(TABLE);
  dynamo.client.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  dynamo.client.middlewareStack.add(
    (next) => async (args) => {
      inFlight.most = Math.max(inFlight.most, ++inFlight.now);
      try {
        return await next(args);
      } finally {
        inFlight.now--;
      }
    },
    { step: 'initialize', name: 'countInFlight' },
  );
});

afterAll(async () => {
  await dynamo?.close();
});

const store = (now: () => number = Date.now) =>
  new DynamoSnapshotStore({ tableName: TABLE, client: dynamo.client, now, statusSettleMs: 0 });

function v<T>(obj: T, rv: string): T {
  const o = structuredClone(obj) as { metadata: Record<string, unknown> };
  o.metadata.resourceVersion = rv;
  return o as T;
}

describe('DynamoSnapshotStore specifics', () => {
  it('creates the table from the exported definition', async () => {
    const t = await dynamo.client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(t.Table?.KeySchema).toEqual(SNAPSHOT_TABLE.KeySchema);
    expect(t.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual([BY_KIND_INDEX]);
    expect(SNAPSHOT_TABLE.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('repairs reverse references a crashed writer left pending', async () => {
    const s = store();
    const c = 'crash';
    const doc = DynamoDBDocumentClient.from(dynamo.client);
    await s.put(c, v(httpRoute('a', 'r', { parents: [{ name: 'g1' }] }), '1'));
    // A writer of version 1 "crashed" after its object write: the edge to g0 of version 0 is still there.
    await doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          pk: `C#${c}#R#Gateway/a/g0`,
          sk: 'HTTPRoute/a/r',
          from: { kind: 'HTTPRoute', namespace: 'a', name: 'r' },
          types: ['parentRef'],
        },
      }),
    );
    await doc.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: `C#${c}#O#HTTPRoute#a`, sk: 'r' },
        UpdateExpression: 'SET pend = :t, pe = :pe',
        ExpressionAttributeValues: {
          ':t': true,
          ':pe': JSON.stringify([{ type: 'parentRef', to: { kind: 'Gateway', namespace: 'a', name: 'g0' } }]),
        },
      }),
    );
    expect(await s.referrers(c, { kind: 'Gateway', namespace: 'a', name: 'g0' })).toHaveLength(1);
    // The redelivered event is a duplicate, and repairs the edges on its way.
    expect((await s.put(c, v(httpRoute('a', 'r', { parents: [{ name: 'g1' }] }), '1'))).result).toBe(
      'duplicate',
    );
    expect(await s.referrers(c, { kind: 'Gateway', namespace: 'a', name: 'g0' })).toEqual([]);
    expect(await s.referrers(c, { kind: 'Gateway', namespace: 'a', name: 'g1' })).toHaveLength(1);
  });

  it("writes a key's statuses with one sequence update, the objects' records in parallel, in order", async () => {
    const s = store();
    const c = 'parallel-status';
    const key = `${c}/Gateway/apps/web`;
    const route = (name: string) => ({
      kind: 'HTTPRoute' as const,
      namespace: 'apps',
      name,
      loadBalancers: [key],
      status: { parents: [] },
    });
    // 'warm-up' still exists: when the key stops writing its status, the key releases it
    await s.put(c, v(httpRoute('apps', 'warm-up', { parents: [{ name: 'web' }] }), '1'));
    await s.putStatusesOfKey(c, key, [route('warm-up')]);
    commands.length = 0;
    inFlight.most = 0;
    await s.putStatusesOfKey(c, key, [route('a'), route('b'), route('c')]);
    // one sequence update for 3 statuses and the release of 'warm-up' (was one each), then 4 latest-record
    // updates; before, each record's writes waited for the previous record's
    expect(commands.filter((n) => n === 'UpdateItemCommand')).toHaveLength(1 + 4);
    expect(inFlight.most).toBeGreaterThanOrEqual(3);
    const page = await s.statusSince(c, undefined, 10);
    // the cursors in order: the statuses as given, then the release
    expect(page.items.map((i) => [i.ref.name, i.release === undefined])).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
      ['warm-up', false],
    ]);
  });

  it('reads a bundle with batched gets and queries, never a scan', async () => {
    const s = store();
    const c = 'paths';
    await s.put(c, v(namespace('a'), '1'));
    await s.put(c, v(gatewayClass('portico'), '1'));
    await s.put(c, v(gateway('a', 'g'), '1'));
    await s.put(c, v(httpRoute('a', 'r', { parents: [{ name: 'g' }], backends: [{ name: 'svc' }] }), '1'));
    const from = commands.length;
    await selectBundleFromStore(s, `${c}/Gateway/a/g`);
    const used = new Set(commands.slice(from));
    expect([...used].sort()).toEqual(['BatchGetItemCommand', 'QueryCommand']);
  });
});

describeSnapshotStore('dynamodb (dynalite)', (now) => store(now), {
  propertyRuns: Number(process.env.STORE_PROPERTY_RUNS ?? 25),
});

afterAll(() => {
  // Across every test of this file: no Scan on any path.
  expect(commands.filter((c) => c.startsWith('Scan'))).toEqual([]);
});
