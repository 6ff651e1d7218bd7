import { describe, expect, it } from 'vitest';
import { lbKey } from '#core/ir/lb-key.js';
import { DispatchContentionError, KeyDispatch } from '#functions/queue/key-dispatch.js';
import { MemoryQueue } from '#functions/queue/memory-queue.js';
import { type Queue, QueueUnavailableError } from '#functions/queue/queue.js';
import { claimedReconcileMessage, parseReconcileRequest } from '#functions/queue/reconcile-message.js';
import { MemorySnapshotStore } from '#functions/store/memory-snapshot-store.js';
import { CLUSTER } from './pipeline-support.js';

const GW = lbKey(CLUSTER, 'Gateway', 'infra', 'web');
const SVC = lbKey(CLUSTER, 'Service', 'infra', 'app');
const QUEUED_LEASE = 120_000;
const RUNNING_LEASE = 150_000;

function setup(queue?: Queue) {
  let clock = 1_763_600_000_000;
  let runs = 0;
  const store = new MemorySnapshotStore();
  const memory = new MemoryQueue({ now: () => clock });
  const dispatch = new KeyDispatch({
    store,
    queue: queue ?? memory,
    now: () => clock,
    newRunId: () => `run-${++runs}`,
  });
  const sent = () => memory.messages.map((m) => parseReconcileRequest(m.body)?.key);
  return { store, queue: memory, dispatch, sent, tick: (ms: number) => (clock += ms) };
}

/** Counts the calls of `object[method]` from now on. */
function countCalls<T extends object>(object: T, method: keyof T & string): () => number {
  const original = (object[method] as (...args: unknown[]) => unknown).bind(object);
  let calls = 0;
  Object.assign(object, {
    [method]: (...args: unknown[]) => {
      calls++;
      return original(...args);
    },
  });
  return () => calls;
}

describe('functions/queue: KeyDispatch (leading edge, trailing coalesce)', () => {
  it('sends an isolated change at once, and nothing more while its run has not begun', async () => {
    const { dispatch, queue, store, sent } = setup();
    expect(await dispatch.request([GW, SVC, GW])).toEqual({ sent: [GW, SVC].sort(), coalesced: [] });
    expect(sent()).toEqual([GW, SVC].sort());
    expect(queue.messages.map((m) => m.groupId)).toEqual([GW, SVC].sort());
    expect(parseReconcileRequest(queue.messages[0]!.body)).toEqual({ key: GW, force: false });
    const mark = await store.readDispatchMark(GW);
    expect(mark?.mark).toMatchObject({ state: 'queued', dirty: false, generation: 1 });
    // a sender retrying this claim sends the same dedup id (SQS drops the repeat)
    expect(claimedReconcileMessage(GW, 1, mark!.mark.claimedAt)).toEqual(queue.messages[0]);

    // queued: the run will read these changes, so they need neither a message nor a write
    expect(await dispatch.request([GW])).toEqual({ sent: [], coalesced: [GW] });
    expect(await store.readDispatchMark(GW)).toEqual(mark);
    expect(sent()).toHaveLength(2);
  });

  it('coalesces the changes made during a run into one trailing request, with a dedup id of its own', async () => {
    const { dispatch, queue, store, sent } = setup();
    await dispatch.request([GW]);
    const reads = countCalls(store, 'readDispatchMark');
    const run = await dispatch.begin(GW);
    expect(reads()).toBe(0); // one write, no read: begin is on the way from a change to its traffic
    expect((await store.readDispatchMark(GW))?.mark).toMatchObject({ state: 'running', runId: run.runId });
    for (let i = 0; i < 5; i++) expect(await dispatch.request([GW])).toEqual({ sent: [], coalesced: [GW] });
    expect((await store.readDispatchMark(GW))?.mark.dirty).toBe(true);
    expect(sent()).toEqual([GW]);

    expect(await run.end()).toBe('requeued');
    expect(sent()).toEqual([GW, GW]); // not dropped as a repeat of the leading one
    expect(queue.messages[1]!.dedupId).not.toBe(queue.messages[0]!.dedupId);
    expect((await store.readDispatchMark(GW))?.mark).toMatchObject({ state: 'queued', generation: 2 });

    const trailing = await dispatch.begin(GW);
    expect(await trailing.end()).toBe('idle');
    expect((await store.readDispatchMark(GW))?.mark).toMatchObject({ state: 'idle', dirty: false });
    expect(await dispatch.request([GW])).toEqual({ sent: [GW], coalesced: [] }); // idle: at once again
    expect(new Set(queue.messages.map((m) => m.dedupId)).size).toBe(3);
  });

  it('claims a key once when concurrent record invocations ask for it together', async () => {
    const { dispatch, sent } = setup();
    const results = await Promise.all(Array.from({ length: 6 }, () => dispatch.request([GW, SVC])));
    expect(sent().sort()).toEqual([GW, SVC].sort());
    expect(results.flatMap((r) => r.sent).sort()).toEqual([GW, SVC].sort());
    expect(results.flatMap((r) => r.coalesced)).toHaveLength(10);
  });

  it('trusts a claim whose message was lost only until its lease runs out', async () => {
    // record died between claiming the key and sending its message: the send never completes
    const hung: Queue = { send: () => new Promise<void>(() => {}) };
    const crashed = setup(hung);
    void crashed.dispatch.request([GW]);
    await new Promise((r) => setImmediate(r));
    expect((await crashed.store.readDispatchMark(GW))?.mark.state).toBe('queued');

    const { store, tick } = crashed;
    const queue = new MemoryQueue();
    const after = new KeyDispatch({ store, queue, now: () => tick(0) });
    tick(QUEUED_LEASE - 1);
    expect(await after.request([GW])).toEqual({ sent: [], coalesced: [GW] });
    tick(1); // the lease ran out: the key counts as idle, the next change goes out at once
    expect(await after.request([GW])).toEqual({ sent: [GW], coalesced: [] });
    expect(queue.messages.map((m) => m.groupId)).toEqual([GW]);
  });

  it('lets a redelivered message take over from a crashed run, and a lost one run out', async () => {
    const { dispatch, store, sent, tick } = setup();
    await dispatch.request([GW]);
    const crashed = await dispatch.begin(GW); // never ends: the Lambda died
    await dispatch.request([GW]); // dirty
    const again = await dispatch.begin(GW); // SQS delivers the message again
    expect((await store.readDispatchMark(GW))?.mark).toMatchObject({ state: 'running', dirty: false });
    expect(await again.end()).toBe('idle'); // it read the bundle after the change: nothing trails
    expect(await crashed.end()).toBe('taken-over');
    expect(sent()).toEqual([GW]);

    // a run whose message is dead-lettered holds the key until its lease runs out
    await dispatch.request([GW]);
    await dispatch.begin(GW);
    tick(RUNNING_LEASE - 1);
    expect(await dispatch.request([GW])).toEqual({ sent: [], coalesced: [GW] });
    tick(1);
    expect(await dispatch.request([GW])).toEqual({ sent: [GW], coalesced: [] });
    expect(sent()).toEqual([GW, GW, GW]);
  });

  it('lets a claim go when its message cannot be sent, so the next change is sent at once', async () => {
    const { dispatch, queue, store, sent } = setup();
    queue.failWith(new QueueUnavailableError('down'));
    await expect(dispatch.request([GW])).rejects.toThrow('down');
    expect((await store.readDispatchMark(GW))?.mark.state).toBe('idle');
    queue.failWith(undefined);
    expect(await dispatch.request([GW])).toEqual({ sent: [GW], coalesced: [] });

    // the same for a trailing request: the run fails (its message is retried), the key is let go
    const run = await dispatch.begin(GW);
    await dispatch.request([GW]);
    queue.failWith(new QueueUnavailableError('down'));
    await expect(run.end()).rejects.toThrow('down');
    expect((await store.readDispatchMark(GW))?.mark.state).toBe('idle');
    queue.failWith(undefined);
    expect(await dispatch.request([GW])).toEqual({ sent: [GW], coalesced: [] });
    expect(sent()).toEqual([GW, GW]);
  });

  it('gives up with a clear error when the mark changes under every attempt', async () => {
    const store = new MemorySnapshotStore();
    const contended = Object.assign(Object.create(store) as MemorySnapshotStore, {
      readDispatchMark: () => store.readDispatchMark(GW),
      writeDispatchMark: async () => false,
    });
    const dispatch = new KeyDispatch({ store: contended, queue: new MemoryQueue() });
    await expect(dispatch.request([GW])).rejects.toThrow(DispatchContentionError);
    await expect(dispatch.request([GW])).rejects.toThrow(`the dispatch mark of ${GW} changed`);
  });
});
