// The deployed status handler, wired from the environment as on Lambda, reading a real DynamoDB
// table (dynalite, through the SDK's AWS_ENDPOINT_URL_DYNAMODB) with the ingest config's signing keys.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lbKey } from '#core/ir/lb-key.js';
import { loadFixture } from '#events/fixtures/load-fixture.js';
import { signRequest } from '#events/signature.js';
import { statusPage, statusRequestPayload } from '#events/status-pull.js';
import type { HttpEvent } from '#functions/shared/http-context.js';
import { handler } from '#functions/status/handler.js';
import { DynamoSnapshotStore } from '#functions/store/dynamo-snapshot-store.js';
import { lambdaContext } from '#test/unit/functions/pipeline-support.js';
import { type LocalDynamo, startDynalite } from '../store/dynalite-server.js';

const TABLE = 'portico-status-deployed';
const SECRET = 's'.repeat(40);
const ENV = [
  'PORTICO_TABLE_NAME',
  'PORTICO_INGEST_CONFIG',
  'PORTICO_INGEST_CONFIG_PARAMETER',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await startDynalite();
  await dynamo.createSnapshotTable(TABLE);
  Object.assign(process.env, {
    PORTICO_TABLE_NAME: TABLE,
    PORTICO_INGEST_CONFIG: JSON.stringify({ signingKeys: [{ cluster: 'prod', secret: SECRET }] }),
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
  delete process.env.PORTICO_INGEST_CONFIG_PARAMETER;
  // Written "a while ago": the store holds back records younger than its settle time.
  const store = new DynamoSnapshotStore({
    tableName: TABLE,
    client: dynamo.client,
    now: () => Date.now() - 60_000,
  });
  const key = lbKey('prod', 'Gateway', 'infra', 'web');
  await store.putStatus('prod', { kind: 'Gateway', namespace: 'infra', name: 'web' }, { g: 1 }, key);
  await store.putStatus('prod', { kind: 'HTTPRoute', namespace: 'infra', name: 'app' }, { r: 1 }, key);
  await store.putStatus('other', { kind: 'Gateway', namespace: 'infra', name: 'web' }, { o: 1 });
});

afterAll(async () => {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await dynamo?.close();
});

function get(limit: number, cursor?: string): HttpEvent {
  const base = loadFixture<HttpEvent>('apigw-v2-request');
  const query = { ...(cursor ? { cursor } : {}), limit };
  const now = Math.floor(Date.now() / 1000);
  return {
    ...base,
    routeKey: 'GET /status',
    rawPath: '/status',
    queryStringParameters: { ...(cursor ? { cursor } : {}), limit: String(limit) },
    headers: { 'x-portico-signature': signRequest(SECRET, now, statusRequestPayload(query)) },
    requestContext: {
      ...base.requestContext,
      http: { ...base.requestContext.http, method: 'GET', path: '/status' },
    },
    body: undefined,
  } as HttpEvent;
}

describe('status: the deployed handler', () => {
  it('wires from the environment and pages the signing cluster from DynamoDB', async () => {
    const first = await handler(get(1), lambdaContext());
    expect(first.statusCode).toBe(200);
    const page1 = statusPage.parse(JSON.parse(first.body as string));
    expect(page1).toMatchObject({ cluster: 'prod', more: true });
    expect(page1.items.map((i) => [i.ref.name, i.key])).toEqual([['web', 'prod/Gateway/infra/web']]);
    const second = statusPage.parse(
      JSON.parse((await handler(get(10, page1.next), lambdaContext())).body as string),
    );
    expect(second.items.map((i) => i.ref.name)).toEqual(['app']);
    expect(second.more).toBe(false);
  });
});
