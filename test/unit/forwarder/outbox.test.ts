import { describe, expect, it } from 'vitest';
import { type ObjectChange, Outbox, type OutboxItem } from '#forwarder/outbox.js';
import type { ClusterObject } from '#kube/cluster-object.js';

const svc = (name: string, rv: number): ClusterObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'a', uid: `uid-${name}`, resourceVersion: String(rv) },
});
const change = (type: ObjectChange['type'], name: string, rv: number, snapshotId?: string): ObjectChange => ({
  type,
  object: svc(name, rv),
  ...(snapshotId ? { snapshotId } : {}),
});
const marker = (kind: string, snapshotId: string, count: number) => ({
  kind: kind as 'Service',
  snapshotId,
  count,
});

const all = (o: Outbox): OutboxItem[] => o.take(() => true);
const describeItem = (i: OutboxItem): string =>
  'marker' in i
    ? `${i.marker}:${i.data.snapshotId}`
    : `${i.change.type} ${i.change.object.metadata.name}@${i.change.object.metadata.resourceVersion}${i.change.snapshotId ? ` #${i.change.snapshotId}` : ''}`;

describe('Outbox', () => {
  it('coalesces changes of one object to the latest, keeping its place', () => {
    const o = new Outbox();
    o.put(change('update', 'x', 1));
    o.put(change('update', 'y', 2));
    o.put(change('update', 'x', 3));
    o.put(change('update', 'x', 4));
    expect(o.size).toBe(2);
    expect(all(o).map(describeItem)).toEqual(['update x@4', 'update y@2']);
    expect(o.size).toBe(0);
  });

  it('an add followed by updates stays an add; a delete replaces a pending update', () => {
    const o = new Outbox();
    o.put(change('add', 'x', 1));
    o.put(change('update', 'x', 2));
    o.put(change('update', 'y', 3));
    o.put(change('delete', 'y', 4));
    expect(all(o).map(describeItem)).toEqual(['add x@2', 'delete y@4']);
  });

  it('keeps markers around their list, and the list snapshot id when a later change supersedes a list add', () => {
    const o = new Outbox();
    o.put(change('update', 'old', 1));
    o.putMarker('start', marker('Service', 'L1', 2));
    o.put(change('add', 'x', 5, 'L1'));
    o.put(change('add', 'y', 5, 'L1'));
    o.putMarker('end', marker('Service', 'L1', 2));
    o.put(change('update', 'x', 6));
    expect(all(o).map(describeItem)).toEqual([
      'update old@1',
      'start:L1',
      'update x@6 #L1',
      'add y@5 #L1',
      'end:L1',
    ]);
  });

  it('sends a delete after a pending list add, so the list still counts the object', () => {
    const o = new Outbox();
    o.putMarker('start', marker('Service', 'L1', 1));
    o.put(change('add', 'x', 5, 'L1'));
    o.putMarker('end', marker('Service', 'L1', 1));
    o.put(change('delete', 'x', 6));
    o.put(change('add', 'x', 7)); // recreated: the delete is superseded, the list add stays
    expect(all(o).map(describeItem)).toEqual(['start:L1', 'add x@5 #L1', 'add x@7', 'end:L1']);
  });

  it('a new list moves its objects behind its start marker and drops the markers of the older pending list', () => {
    const o = new Outbox();
    o.putMarker('start', marker('Service', 'L1', 1));
    o.put(change('add', 'x', 5, 'L1'));
    o.putMarker('end', marker('Service', 'L1', 1));
    o.putMarker('start', marker('Service', 'L2', 1));
    o.put(change('add', 'x', 6, 'L2'));
    o.putMarker('end', marker('Service', 'L2', 1));
    expect(o.size).toBe(3);
    expect(all(o).map(describeItem)).toEqual(['start:L2', 'add x@6 #L2', 'end:L2']);
  });

  it('take stops at the first group the batch refuses, and an object takes its list add and delete together', () => {
    const o = new Outbox();
    o.put(change('add', 'x', 5, 'L1'));
    o.put(change('delete', 'x', 6));
    o.put(change('update', 'y', 7));
    const seen: number[] = [];
    const first = o.take((items) => {
      seen.push(items.length);
      return seen.length === 1;
    });
    expect(first.map(describeItem)).toEqual(['add x@5 #L1', 'delete x@6']);
    expect(seen).toEqual([2, 1]);
    expect(all(o).map(describeItem)).toEqual(['update y@7']);
  });

  it('when full, drops watch events that do not coalesce and asks for a re-list once drained', () => {
    const dropped: string[] = [];
    const relisted: string[] = [];
    const o = new Outbox({
      maxPending: 3,
      lowWatermark: 1,
      onDrop: (k) => dropped.push(k),
      onRelist: (k) => relisted.push(k),
    });
    expect(o.put(change('add', 'a', 1))).toBe(true);
    expect(o.put(change('add', 'b', 1))).toBe(true);
    expect(o.put(change('add', 'c', 1))).toBe(true);
    expect(o.put(change('add', 'd', 1))).toBe(false);
    expect(o.put(change('update', 'a', 2))).toBe(true); // coalesces: no room needed
    expect(dropped).toEqual(['Service']);
    expect(o.overflowed).toEqual(['Service']);
    o.take((items) => items.length > 0 && o.size > 2); // takes one
    o.relistIfRoom();
    expect(relisted).toEqual([]); // 2 still pending > low watermark 1
    all(o);
    o.relistIfRoom();
    expect(relisted).toEqual(['Service']);
    o.relistIfRoom();
    expect(relisted).toEqual(['Service']); // once
    // lists are admitted even beyond the bound
    o.putMarker('start', marker('Service', 'L', 5));
    for (const n of ['a', 'b', 'c', 'd', 'e']) expect(o.put(change('add', n, 9, 'L'))).toBe(true);
    expect(o.size).toBe(6);
  });

  it('waitForItems resolves when something is put', async () => {
    const o = new Outbox();
    let resolved = false;
    const waiting = o.waitForItems().then(() => {
      resolved = true;
    });
    await Promise.resolve();
    expect(resolved).toBe(false);
    o.put(change('add', 'x', 1));
    await waiting;
    expect(resolved).toBe(true);
  });
});
