import { describe, expect, it } from 'vitest';
import { resourceEvent } from '#test/unit/functions/pipeline-support.js';
import { OTHER_SECRET, providerState, SECRET, signedRequest } from './harness.js';
import { bump, type endpointSlice, update } from './objects.js';
import { programmedApp } from './programmed-app.js';

/** A programmed pipeline, then one accepted request whose events must survive what follows. */
async function accepted() {
  const { fake, h, eps } = await programmedApp();
  const next = bump(eps, { endpoints: [{ addresses: ['10.0.0.9'], conditions: { ready: true } }] });
  const ok = await h.post([update(next)]);
  expect(ok.status).toBe(202);
  const queued = h.eventsQueue.messages.length;
  return { fake, h, eps: next, ok, queued };
}

/** What the rest of the pipeline holds after every refused request: the accepted event, programmed. */
async function acceptedSurvives(ctx: Awaited<ReturnType<typeof accepted>>) {
  const { h, fake, queued } = ctx;
  expect(h.eventsQueue.messages.length).toBe(queued); // nothing enqueued by a refused request
  await h.settle();
  expect(JSON.stringify(fake.cloud.all())).toContain('10.0.0.9');
  expect(JSON.stringify(fake.cloud.all())).not.toContain('10.66.');
}

const forged = (eps: ReturnType<typeof endpointSlice>) =>
  update(bump(eps, { endpoints: [{ addresses: ['10.66.0.1'], conditions: { ready: true } }] }));

describe('reliability: replayed requests at ingest', () => {
  it('refuses the same signed bytes again (403 ReplayedRequest) and enqueues nothing', async () => {
    const ctx = await accepted();
    ctx.h.tick(30_000);
    const replay = await ctx.h.send(ctx.ok.event);
    expect(replay).toMatchObject({ status: 403, body: { error: { reason: 'ReplayedRequest' } } });
    await acceptedSurvives(ctx);
  });

  it('refuses a timestamp outside the window, either way (401 StaleTimestamp)', async () => {
    const ctx = await accepted();
    const nowS = Math.floor(ctx.h.now() / 1000);
    for (const at of [nowS - 301, nowS + 301]) {
      const res = await ctx.h.post([forged(ctx.eps)], { at });
      expect(res).toMatchObject({ status: 401, body: { error: { reason: 'StaleTimestamp' } } });
    }
    // The captured accepted request, replayed once its window has passed, is stale too.
    ctx.h.tick(301_000);
    expect(await ctx.h.send(ctx.ok.event)).toMatchObject({
      status: 401,
      body: { error: { reason: 'StaleTimestamp' } },
    });
    await acceptedSurvives(ctx);
  });

  it('accepts the retry of a request that failed with a 5xx (same bytes, same signature)', async () => {
    const ctx = await accepted();
    const { h } = ctx;
    await h.settle();
    const next = bump(ctx.eps, { endpoints: [{ addresses: ['10.0.0.10'], conditions: { ready: true } }] });
    h.eventsQueue.failWith(new Error('SQS is down'));
    const failed = await h.post([update(next)]);
    expect(failed).toMatchObject({ status: 503, body: { error: { reason: 'QueueUnavailable' } } });
    h.eventsQueue.failWith(undefined);
    h.tick(1_000);
    const retried = await h.send(failed.event);
    expect(retried).toMatchObject({ status: 202, body: { accepted: 1 } });
    // ...and only once: the retry's own replay is refused.
    expect((await h.send(failed.event)).status).toBe(403);
    await h.settle();
    expect(JSON.stringify(ctx.fake.cloud.all())).toContain('10.0.0.10');
  });
});

describe('reliability: forged requests at ingest', () => {
  it('refuses a request signed with the wrong secret (401 InvalidSignature)', async () => {
    const ctx = await accepted();
    const res = await ctx.h.post([forged(ctx.eps)], { secret: OTHER_SECRET });
    expect(res).toMatchObject({ status: 401, body: { error: { reason: 'InvalidSignature' } } });
    await acceptedSurvives(ctx);
  });

  it('refuses a tampered body (401 InvalidSignature), even with a valid signature of the original', async () => {
    const ctx = await accepted();
    const original = JSON.stringify([update(ctx.eps)]);
    const tampered = JSON.stringify([forged(ctx.eps)]);
    const nowS = Math.floor(ctx.h.now() / 1000);
    const res = await ctx.h.send(signedRequest(original, tampered, SECRET, nowS));
    expect(res).toMatchObject({ status: 401, body: { error: { reason: 'InvalidSignature' } } });
    // one byte changed in the signed body
    const flipped = original.replace('10.0.0.9', '10.0.0.8');
    expect(flipped).not.toBe(original);
    const res2 = await ctx.h.send(signedRequest(original, flipped, SECRET, nowS));
    expect(res2).toMatchObject({ status: 401, body: { error: { reason: 'InvalidSignature' } } });
    await acceptedSurvives(ctx);
  });

  it("refuses events naming another cluster than the key's (403 ClusterMismatch), the whole batch", async () => {
    const ctx = await accepted();
    const mine = forged(ctx.eps);
    const theirs = resourceEvent('update', bump(ctx.eps), { cluster: 'staging-1' });
    const res = await ctx.h.post([mine, theirs]);
    expect(res).toMatchObject({ status: 403, body: { error: { reason: 'ClusterMismatch', index: 1 } } });
    await acceptedSurvives(ctx);
  });

  it('refuses a batch with one unacceptable event (422), the whole batch', async () => {
    const ctx = await accepted();
    const bad = { ...forged(ctx.eps), type: 'dev.knative.apiserver.resource.patch' };
    const res = await ctx.h.post([forged(ctx.eps), bad as never]);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ reason: 'UnsupportedEventType', index: 1 });
    const before = providerState(ctx.fake);
    await acceptedSurvives(ctx);
    expect(providerState(ctx.fake)).not.toEqual(before); // the accepted change did land
  });
});
