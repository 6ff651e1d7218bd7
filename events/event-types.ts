/** Knative Eventing ApiServerSource, `mode: Resource`: `data` is the whole object. */
export const RESOURCE_EVENT_TYPES = [
  'dev.knative.apiserver.resource.add',
  'dev.knative.apiserver.resource.update',
  'dev.knative.apiserver.resource.delete',
] as const;
export type ResourceEventType = (typeof RESOURCE_EVENT_TYPES)[number];

/** Portico's own markers around every (re)list of one kind. */
export const SNAPSHOT_EVENT_TYPES = ['dev.portico.snapshot.start', 'dev.portico.snapshot.end'] as const;
export type SnapshotEventType = (typeof SNAPSHOT_EVENT_TYPES)[number];

/** ApiServerSource `mode: Reference` types: recognised only to say why they are refused. */
export const REFERENCE_EVENT_TYPES = [
  'dev.knative.apiserver.ref.add',
  'dev.knative.apiserver.ref.update',
  'dev.knative.apiserver.ref.delete',
] as const;

export function isResourceEventType(type: string): type is ResourceEventType {
  return (RESOURCE_EVENT_TYPES as readonly string[]).includes(type);
}

export function isSnapshotEventType(type: string): type is SnapshotEventType {
  return (SNAPSHOT_EVENT_TYPES as readonly string[]).includes(type);
}

export function isReferenceEventType(type: string): boolean {
  return (REFERENCE_EVENT_TYPES as readonly string[]).includes(type);
}
