import { createHash } from 'node:crypto';
import type { ResourceEventType, SnapshotEventType } from '#events/event-types.js';
import type { SnapshotMarkerData } from '#events/snapshot-marker.js';
import type { ClusterObject } from '#kube/cluster-object.js';
import type { ClusterEventType } from '#kube/cluster-source.js';

/** One CloudEvent as the forwarder sends it (structured JSON, one element of a batch). */
export interface WireEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: ResourceEventType | SnapshotEventType;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  cluster: string;
  kind: string;
  resourceversion?: string;
  snapshotid?: string;
  data: ClusterObject | SnapshotMarkerData;
}

const RESOURCE_TYPE: Record<ClusterEventType, ResourceEventType> = {
  add: 'dev.knative.apiserver.resource.add',
  update: 'dev.knative.apiserver.resource.update',
  delete: 'dev.knative.apiserver.resource.delete',
};

function sourceOf(cluster: string): string {
  return `portico-forwarder/${cluster}`;
}

const hash = (parts: readonly (string | undefined)[]): string =>
  createHash('sha256')
    .update(parts.map((p) => p ?? '').join('\n'))
    .digest('hex')
    .slice(0, 40);

/**
 * A resource event. Its id is the same whenever the same change is sent again (cluster, uid,
 * resourceVersion, type, and the list it belongs to: an object carried by two lists is two events).
 */
export function resourceEvent(
  cluster: string,
  type: ClusterEventType,
  object: ClusterObject,
  snapshotId: string | undefined,
  time: string,
): WireEvent {
  const m = object.metadata;
  const ceType = RESOURCE_TYPE[type];
  return {
    specversion: '1.0',
    id: `${type}-${hash([cluster, m.uid, m.resourceVersion, ceType, snapshotId])}`,
    source: sourceOf(cluster),
    type: ceType,
    subject: m.namespace ? `${m.namespace}/${m.name}` : m.name,
    time,
    datacontenttype: 'application/json',
    cluster,
    kind: object.kind,
    ...(m.resourceVersion !== undefined ? { resourceversion: m.resourceVersion } : {}),
    ...(snapshotId !== undefined ? { snapshotid: snapshotId } : {}),
    data: object,
  };
}

export function markerEvent(
  cluster: string,
  which: 'start' | 'end',
  data: SnapshotMarkerData,
  time: string,
): WireEvent {
  const ceType: SnapshotEventType =
    which === 'start' ? 'dev.portico.snapshot.start' : 'dev.portico.snapshot.end';
  return {
    specversion: '1.0',
    id: `snapshot-${which}-${hash([cluster, data.snapshotId, data.kind, ceType])}`,
    source: sourceOf(cluster),
    type: ceType,
    time,
    datacontenttype: 'application/json',
    cluster,
    kind: data.kind,
    snapshotid: data.snapshotId,
    data,
  };
}
