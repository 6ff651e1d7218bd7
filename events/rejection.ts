/**
 * Why a request was refused. Reasons are stable, machine-readable CamelCase codes (like Kubernetes
 * condition reasons); `message` says what exactly was wrong and is safe to show to the sender.
 */
export const REJECTION_STATUS = {
  // 400: the body is not what it claims to be
  EmptyBody: 400,
  MalformedJson: 400,
  InvalidBase64: 400,
  // 400: the status pull's query string is not one
  InvalidQuery: 400,
  // 401 / 403: who sent it
  MissingCredentials: 401,
  MalformedSignature: 401,
  InvalidSignature: 401,
  StaleTimestamp: 401,
  InvalidToken: 401,
  ReplayedRequest: 403,
  ClusterMismatch: 403,
  // 405
  MethodNotAllowed: 405,
  // 413: too big
  PayloadTooLarge: 413,
  BatchTooLarge: 413,
  EventTooLarge: 413,
  // 415: not a content mode we speak
  UnsupportedMediaType: 415,
  // 422: well-formed JSON that is not an acceptable event
  InvalidEnvelope: 422,
  UnsupportedSpecVersion: 422,
  UnsupportedEventType: 422,
  UnsupportedDataEncoding: 422,
  UnsupportedKind: 422,
  InvalidObject: 422,
  InvalidSnapshotMarker: 422,
  MissingCluster: 422,
  AttributeMismatch: 422,
  // 503: accepted by us but not by the queue; safe to retry the same request
  QueueUnavailable: 503,
} as const;

export type RejectionReason = keyof typeof REJECTION_STATUS;

export interface Rejection {
  status: (typeof REJECTION_STATUS)[RejectionReason];
  reason: RejectionReason;
  message: string;
  /** Position of the offending event in a batch. */
  index?: number;
}

export function reject(reason: RejectionReason, message: string, index?: number): Rejection {
  const r: Rejection = { status: REJECTION_STATUS[reason], reason, message };
  if (index !== undefined) r.index = index;
  return r;
}
