import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QueueMessage, QueueUnavailableError } from '#functions/queue/queue.js';
import { chunksOf, SqsQueue } from '#functions/queue/sqs-queue.js';
import { loadIngestConfig } from '#functions/shared/ingest-config.js';
import {
  clearParameterCache,
  ParameterNotFoundError,
  readParameter,
} from '#functions/wiring/ssm-parameter.js';
import { createSqsClient, type SqsEmulator, startSqsEmulator } from '#test/emulators/sqs/index.js';
import { createSsmClient, type SsmEmulator, startSsmEmulator } from '#test/emulators/ssm/index.js';

let sqs: SqsEmulator;
let ssm: SsmEmulator;
let client: SQSClient;
let n = 0;

beforeAll(async () => {
  [sqs, ssm] = await Promise.all([startSqsEmulator(), startSsmEmulator()]);
  client = createSqsClient(sqs, { maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await Promise.all([sqs.close(), ssm.close()]);
});

async function queue(): Promise<{ name: string; queue: SqsQueue }> {
  const name = `events-${++n}.fifo`;
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        FifoQueue: 'true',
        DeduplicationScope: 'messageGroup',
        FifoThroughputLimit: 'perMessageGroupId',
      },
    }),
  );
  return { name, queue: new SqsQueue({ client, queueUrl: QueueUrl!, backoffMs: 1 }) };
}
const msg = (i: number, group = `g${i % 3}`, body = `body-${i}`): QueueMessage => ({
  groupId: group,
  dedupId: `d-${i}`,
  body,
});

describe('SqsQueue against the SQS emulator', () => {
  it('sends 25 messages in 3 requests of at most 10, in order, each with its group and dedup id', async () => {
    const { name, queue: q } = await queue();
    const messages = Array.from({ length: 25 }, (_, i) => msg(i));
    const before = sqs.calls.SendMessageBatch ?? 0;
    await q.send(messages);
    expect((sqs.calls.SendMessageBatch ?? 0) - before).toBe(3);
    const stored = sqs.service.peek(name);
    expect(stored.map((m) => m.body)).toEqual(messages.map((m) => m.body));
    expect(stored.map((m) => [m.groupId, m.dedupId])).toEqual(messages.map((m) => [m.groupId, m.dedupId]));
  });

  it('splits by size: no request over 256 KiB (the emulator refuses BatchRequestTooLong otherwise)', async () => {
    const { name, queue: q } = await queue();
    const big = 'x'.repeat(100 * 1024);
    const messages = Array.from({ length: 5 }, (_, i) => msg(i, 'g', big + i));
    expect(chunksOf(messages, 262_144).map((c) => c.length)).toEqual([2, 2, 1]);
    await q.send(messages);
    expect(sqs.service.peek(name)).toHaveLength(5);
    await expect(q.send([msg(9, 'g', 'y'.repeat(262_145))])).rejects.toThrow(RangeError);
  });

  it('a resend of the same list is deduplicated by SQS', async () => {
    const { name, queue: q } = await queue();
    const messages = Array.from({ length: 12 }, (_, i) => msg(i));
    await q.send(messages);
    await q.send(messages);
    expect(sqs.service.peek(name)).toHaveLength(12);
  });

  it('retries entries reported in Failed[] and succeeds when they go through', async () => {
    const { name, queue: q } = await queue();
    sqs.failEntries({ count: 2, code: 'InternalError' });
    await q.send(Array.from({ length: 4 }, (_, i) => msg(i, 'g')));
    expect(sqs.service.bodies(name).sort()).toEqual(['body-0', 'body-1', 'body-2', 'body-3']);
  });

  it('entries that keep failing → QueueUnavailableError naming the count and first code, never a body', async () => {
    const { queue: q } = await queue();
    sqs.failEntries({
      count: 100,
      code: 'ServiceUnavailable',
      match: (e) => e.MessageBody.startsWith('secret'),
    });
    const error = await q.send([msg(1), msg(2, 'g', 'secret-body')]).catch((e) => e);
    sqs.clearFaults();
    expect(error).toBeInstanceOf(QueueUnavailableError);
    expect(error.message).toMatch(
      /^1 of 2 message\(s\) not enqueued after 4 attempts \(first: ServiceUnavailable\)$/,
    );
    expect(error.message).not.toContain('secret');
  });

  it('sender faults are not retried', async () => {
    const { queue: q } = await queue();
    sqs.failEntries({ count: 1, code: 'InvalidParameterValue', senderFault: true });
    const before = sqs.calls.SendMessageBatch ?? 0;
    await expect(q.send([msg(1)])).rejects.toThrow(/refused by SQS \(first: InvalidParameterValue\)/);
    expect((sqs.calls.SendMessageBatch ?? 0) - before).toBe(1);
  });

  it('SDK errors (5xx, unknown queue, connection refused) → QueueUnavailableError', async () => {
    const { queue: q } = await queue();
    sqs.failNext({ action: 'SendMessageBatch', code: 'InternalError' });
    await expect(q.send([msg(1)])).rejects.toThrow(QueueUnavailableError);
    const missing = new SqsQueue({ client, queueUrl: sqs.queueUrl('nope.fifo') });
    await expect(missing.send([msg(1)])).rejects.toThrow(/QueueDoesNotExist/);
    const dead = createSqsClient(sqs, { endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const refused = new SqsQueue({ client: dead, queueUrl: 'http://127.0.0.1:9/000000000000/x.fifo' });
    await expect(refused.send([msg(1)])).rejects.toThrow(QueueUnavailableError);
    dead.destroy();
  });

  it('honours the AbortSignal', async () => {
    const { name, queue: q } = await queue();
    await expect(q.send([msg(1)], { signal: AbortSignal.abort(new Error('stop')) })).rejects.toThrow('stop');
    sqs.addLatency(300, 'SendMessageBatch');
    const started = Date.now();
    await expect(q.send([msg(2)], { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(Date.now() - started).toBeLessThan(250);
    sqs.clearFaults();
    expect(sqs.service.peek(name).map((m) => m.body)).not.toContain('body-1');
  });
});

describe('readParameter / loadIngestConfig against the SSM emulator', () => {
  const SECRET = 'prod-eu-1-signing-secret-0123456789abcdef';

  it('reads a SecureString decrypted, caches it per container, and names a missing parameter', async () => {
    clearParameterCache();
    const ssmClient = createSsmClient(ssm, { maxAttempts: 1 });
    ssm.put('/portico/t/a', 'value-1');
    expect(await readParameter(ssmClient, '/portico/t/a')).toBe('value-1');
    ssm.put('/portico/t/a', 'value-2');
    expect(await readParameter(ssmClient, '/portico/t/a')).toBe('value-1');
    expect(ssm.calls.GetParameter).toBe(1);
    expect(await readParameter(ssmClient, '/portico/t/a', { cacheMs: 0 })).toBe('value-2');
    const error = await readParameter(ssmClient, '/portico/t/missing').catch((e) => e);
    expect(error).toBeInstanceOf(ParameterNotFoundError);
    expect(error.message).toBe('SSM parameter /portico/t/missing does not exist');
    ssm.failNext('GetParameter', 'InternalServerError');
    await expect(readParameter(ssmClient, '/portico/t/b')).rejects.toThrow(
      'SSM parameter /portico/t/b could not be read: InternalServerError',
    );
    ssmClient.destroy();
  });

  it('loadIngestConfig reads the parameter named by PORTICO_INGEST_CONFIG_PARAMETER, else the inline JSON', async () => {
    clearParameterCache();
    const ssmClient = createSsmClient(ssm, { maxAttempts: 1 });
    ssm.put('/portico/t/ingest', JSON.stringify({ signingKeys: [{ cluster: 'prod-eu-1', secret: SECRET }] }));
    const config = await loadIngestConfig(
      { PORTICO_INGEST_CONFIG_PARAMETER: '/portico/t/ingest' },
      { ssm: ssmClient },
    );
    expect(config.signingKeys).toEqual([{ cluster: 'prod-eu-1', secret: SECRET }]);
    ssm.put(
      '/portico/t/bad',
      JSON.stringify({ signingKeys: [{ cluster: 'prod-eu-1', secret: 'short-secret' }] }),
    );
    const bad = await loadIngestConfig(
      { PORTICO_INGEST_CONFIG_PARAMETER: '/portico/t/bad' },
      { ssm: ssmClient },
    ).catch((e) => e);
    expect(bad.message).toBe('SSM parameter /portico/t/bad.signingKeys.0.secret: too_small');
    expect(bad.message).not.toContain('short-secret');
    const inline = await loadIngestConfig({
      PORTICO_INGEST_CONFIG: JSON.stringify({ bearerTokens: [{ cluster: 'lab', token: 't'.repeat(40) }] }),
    });
    expect(inline.bearerTokens).toHaveLength(1);
    ssmClient.destroy();
  });
});
