import { createHash } from 'node:crypto';
import { isSnapshotMarker, type PorticoEvent } from './portico-event.js';

/** SQS FIFO limit for MessageGroupId and MessageDeduplicationId. */
export const MAX_QUEUE_ID_LENGTH = 128;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Events of one object share a group, so they are recorded in order:
 * `<cluster>/<Kind>/<namespace>/<name>` (`<cluster>/<Kind>/<name>` when cluster-scoped). Snapshot
 * markers of a kind share `<cluster>/<Kind>/~snapshot`. Too long a key is replaced by a hash.
 */
export function groupIdOf(event: PorticoEvent): string {
  let key: string;
  if (isSnapshotMarker(event)) key = `${event.cluster}/${event.kind}/~snapshot`;
  else {
    const { namespace, name } = event.data.metadata;
    key = namespace
      ? `${event.cluster}/${event.kind}/${namespace}/${name}`
      : `${event.cluster}/${event.kind}/${name}`;
  }
  if (key.length <= MAX_QUEUE_ID_LENGTH) return key;
  return `${event.cluster}/${event.kind}/#${sha256(key).slice(0, 40)}`;
}

/**
 * The same change of the same object sent twice (a retry, a replay, two forwarders) gets the same
 * id: a hash of cluster + uid + resourceVersion + type (cluster + snapshot id + kind + type for markers).
 * A list's `add` events also carry their snapshot id: a re-list soon after the object's own `add`
 * must not be dropped by the queue's 5-minute dedup window, or the list would never be complete.
 */
export function dedupIdOf(event: PorticoEvent): string {
  const parts = isSnapshotMarker(event)
    ? [event.cluster, event.snapshotid, event.kind, event.type]
    : [event.cluster, event.data.metadata.uid, event.resourceversion, event.type, event.snapshotid ?? ''];
  return sha256(parts.join('\n'));
}
