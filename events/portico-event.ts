import type { KindName } from '#core/model/bundle.js';
import type { ResourceEventType, SnapshotEventType } from './event-types.js';
import type { ResourceObject } from './resource-object.js';
import type { SnapshotMarkerData } from './snapshot-marker.js';

/**
 * An accepted event, normalised to one structured CloudEvent whatever mode it arrived in, with
 * Portico's extension attributes filled in. This JSON is what gets enqueued.
 */
interface EventContext {
  specversion: '1.0';
  id: string;
  source: string;
  subject?: string;
  time?: string;
  datacontenttype: 'application/json';
  /** Extension: the cluster the event comes from. */
  cluster: string;
  /** Extension: the object's kind, or the listed kind for markers. */
  kind: KindName;
}

/** `dev.knative.apiserver.resource.add|update|delete`: `data` is the whole object. */
export interface ResourceEvent extends EventContext {
  type: ResourceEventType;
  /** Extension: `data.metadata.resourceVersion`. */
  resourceversion: string;
  /** Extension: set on the `add` events sent while (re)listing. */
  snapshotid?: string;
  data: ResourceObject;
}

/** `dev.portico.snapshot.start|end` around a (re)list of one kind. */
export interface SnapshotMarkerEvent extends EventContext {
  type: SnapshotEventType;
  snapshotid: string;
  data: SnapshotMarkerData;
}

export type PorticoEvent = ResourceEvent | SnapshotMarkerEvent;

export function isSnapshotMarker(event: PorticoEvent): event is SnapshotMarkerEvent {
  return event.type === 'dev.portico.snapshot.start' || event.type === 'dev.portico.snapshot.end';
}
