import { isResourceEventType, isSnapshotEventType } from '#events/event-types.js';
import type { PorticoEvent, ResourceEvent, SnapshotMarkerEvent } from '#events/portico-event.js';
import { validateResourceObject } from '#events/resource-object.js';
import { type SanitizeOptions, sanitizeObject } from '#events/sanitize-object.js';
import { snapshotMarkerData } from '#events/snapshot-marker.js';

/** The body of an events-queue message is not an event ingest enqueues. */
export class UnreadableMessageError extends Error {
  override readonly name = 'UnreadableMessageError';
}

/**
 * Reads one events-queue message body: the structured CloudEvent JSON ingest enqueued (a
 * PorticoEvent). Checked again here, cheaply, because the queue is a trust boundary of its own
 * (anything with SendMessage rights can write to it), and its object sanitised again (a Secret's
 * private key or data is never stored, whoever enqueued it). Throws UnreadableMessageError.
 */
export function parseRecordedEvent(body: string, secrets: SanitizeOptions = {}): PorticoEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new UnreadableMessageError('the message body is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UnreadableMessageError('the message body is not a JSON object');
  }
  const e = json as Record<string, unknown>;
  if (typeof e.cluster !== 'string' || e.cluster === '') {
    throw new UnreadableMessageError('the event has no cluster');
  }
  const type = typeof e.type === 'string' ? e.type : '';
  if (isSnapshotEventType(type)) {
    const data = snapshotMarkerData.safeParse(e.data);
    if (!data.success) throw new UnreadableMessageError(`${type}: data is not a snapshot marker`);
    return {
      ...(e as object),
      type,
      data: data.data,
      snapshotid: data.data.snapshotId,
    } as SnapshotMarkerEvent;
  }
  if (isResourceEventType(type)) {
    const checked = validateResourceObject(e.data);
    if ('error' in checked) throw new UnreadableMessageError(`${type}: ${checked.error.message}`);
    return {
      ...(e as object),
      type,
      kind: checked.object.kind,
      resourceversion: checked.object.metadata.resourceVersion,
      data: sanitizeObject(checked.object, secrets),
    } as ResourceEvent;
  }
  throw new UnreadableMessageError(`unexpected event type ${JSON.stringify(type)}`);
}
