import type { KindName } from '#core/model/bundle.js';
import { cloudEvent, describeIssue } from './cloud-event.js';
import { isReferenceEventType, isResourceEventType, isSnapshotEventType } from './event-types.js';
import { clusterId, EXTENSION, snapshotId } from './extensions.js';
import { type IncomingHeaders, lowerCaseHeaders } from './headers.js';
import { DEFAULT_LIMITS, type EventLimits } from './limits.js';
import {
  BATCH_MEDIA_TYPE,
  type ContentMode,
  JSON_MEDIA_TYPE,
  mediaTypeOf,
  STRUCTURED_MEDIA_TYPE,
} from './media-types.js';
import type { PorticoEvent, ResourceEvent, SnapshotMarkerEvent } from './portico-event.js';
import { type Rejection, reject } from './rejection.js';
import { type ResourceObject, validateResourceObject } from './resource-object.js';
import { type SanitizeOptions, sanitizeObject } from './sanitize-object.js';
import { snapshotMarkerData } from './snapshot-marker.js';

export type { IncomingHeaders };

export interface ParseOptions {
  limits?: Partial<EventLimits>;
  /**
   * The cluster the sender's credentials belong to. Events without a `cluster` extension get it;
   * events naming another cluster are refused (403 ClusterMismatch).
   */
  cluster?: string;
  /** Content modes accepted (default: all). Signed requests exclude `binary`: its `ce-*` headers are not signed. */
  modes?: readonly ContentMode[];
  /**
   * What of a Secret is kept (sanitizeObject): objects are reduced before they leave the parser, so
   * that a Secret's private key or data is never enqueued, stored nor logged. Default: no `tls.key`.
   */
  secrets?: SanitizeOptions;
}

export type ParseResult = { events: PorticoEvent[]; mode: ContentMode } | { error: Rejection };

const encoder = new TextEncoder();
const byteLength = (s: string): number => encoder.encode(s).byteLength;

/**
 * Parses and validates one HTTP request carrying CloudEvents, in structured, batch or binary mode.
 * Pure: never throws, never drops an event silently. Either every event is acceptable and returned
 * normalised, or the whole request is refused with a specific 4xx reason (and the batch index).
 */
export function parseIncoming(
  headers: IncomingHeaders,
  body: string,
  options: ParseOptions = {},
): ParseResult {
  const limits: EventLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const h = lowerCaseHeaders(headers);

  if (body.length > limits.maxBodyBytes || byteLength(body) > limits.maxBodyBytes) {
    return { error: reject('PayloadTooLarge', `body exceeds ${limits.maxBodyBytes} bytes`) };
  }

  const media = mediaTypeOf(h['content-type']);
  let mode: ContentMode;
  if (media === STRUCTURED_MEDIA_TYPE) mode = 'structured';
  else if (media === BATCH_MEDIA_TYPE) mode = 'batch';
  else if (h['ce-specversion'] !== undefined) {
    if (!isJsonMediaType(media)) {
      return {
        error: reject(
          'UnsupportedMediaType',
          `binary-mode data must be ${JSON_MEDIA_TYPE}, got ${media ?? 'no Content-Type'}`,
        ),
      };
    }
    mode = 'binary';
  } else {
    return {
      error: reject(
        'UnsupportedMediaType',
        `Content-Type must be ${STRUCTURED_MEDIA_TYPE}, ${BATCH_MEDIA_TYPE}, or ${JSON_MEDIA_TYPE} with ce-* headers; got ${media ?? 'none'}`,
      ),
    };
  }

  if (options.modes && !options.modes.includes(mode)) {
    return {
      error: reject(
        'UnsupportedMediaType',
        `${mode} mode is not accepted here; use ${options.modes.map(modeMediaType).join(' or ')}`,
      ),
    };
  }

  if (body.trim() === '') return { error: reject('EmptyBody', 'the request body is empty') };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    return { error: reject('MalformedJson', `body is not JSON: ${(e as Error).message.slice(0, 200)}`) };
  }

  let raws: unknown[];
  if (mode === 'batch') {
    if (!Array.isArray(json)) {
      return { error: reject('InvalidEnvelope', 'a batch must be a JSON array of CloudEvents') };
    }
    if (json.length > limits.maxBatchEvents) {
      return {
        error: reject('BatchTooLarge', `${json.length} events in a batch; at most ${limits.maxBatchEvents}`),
      };
    }
    raws = json;
  } else if (mode === 'structured') {
    raws = [json];
  } else {
    const fromHeaders = eventFromBinary(h, json);
    if ('error' in fromHeaders) return fromHeaders;
    raws = [fromHeaders.event];
  }

  const events: PorticoEvent[] = [];
  for (let i = 0; i < raws.length; i++) {
    const index = mode === 'batch' ? i : undefined;
    const result = validateEvent(raws[i], limits, options.cluster, index, options.secrets);
    if ('error' in result) return result;
    events.push(result.event);
  }
  return { events, mode };
}

/** Validates one CloudEvent (already JSON-decoded) and normalises it (its object sanitised). */
export function validateEvent(
  raw: unknown,
  limits: EventLimits,
  boundCluster: string | undefined,
  index?: number,
  secrets: SanitizeOptions = {},
): { event: PorticoEvent } | { error: Rejection } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { error: reject('InvalidEnvelope', 'an event must be a JSON object', index) };
  }
  const specversion = (raw as { specversion?: unknown }).specversion;
  if (specversion !== '1.0') {
    return {
      error: reject(
        'UnsupportedSpecVersion',
        `specversion must be "1.0", got ${JSON.stringify(specversion ?? null)}`,
        index,
      ),
    };
  }
  const parsed = cloudEvent.safeParse(raw);
  if (!parsed.success) return { error: reject('InvalidEnvelope', describeIssue(parsed.error), index) };
  const ce = parsed.data;

  if (ce.data_base64 !== undefined) {
    return { error: reject('UnsupportedDataEncoding', 'data_base64 is not accepted; send JSON data', index) };
  }
  if (ce.datacontenttype !== undefined && !isJsonMediaType(mediaTypeOf(ce.datacontenttype))) {
    return {
      error: reject(
        'UnsupportedDataEncoding',
        `datacontenttype must be JSON, got ${ce.datacontenttype}`,
        index,
      ),
    };
  }
  const dataBytes = ce.data === undefined ? 0 : byteLength(JSON.stringify(ce.data));
  if (dataBytes > limits.maxEventDataBytes) {
    return {
      error: reject(
        'EventTooLarge',
        `data is ${dataBytes} bytes; at most ${limits.maxEventDataBytes}`,
        index,
      ),
    };
  }

  // cluster: from the event, else from the credentials; must agree with the credentials.
  const ext = ce as Record<string, unknown>;
  let cluster = ext[EXTENSION.cluster];
  if (cluster === undefined) cluster = boundCluster;
  if (cluster === undefined) {
    return { error: reject('MissingCluster', 'the "cluster" extension attribute is required', index) };
  }
  const clusterOk = clusterId.safeParse(cluster);
  if (!clusterOk.success) {
    return { error: reject('InvalidEnvelope', `cluster: ${describeIssue(clusterOk.error)}`, index) };
  }
  if (boundCluster !== undefined && clusterOk.data !== boundCluster) {
    return {
      error: reject(
        'ClusterMismatch',
        `event is for cluster "${clusterOk.data}" but the credentials are for "${boundCluster}"`,
        index,
      ),
    };
  }

  const context = {
    specversion: '1.0' as const,
    id: ce.id,
    source: ce.source,
    ...(ce.subject !== undefined && { subject: ce.subject }),
    ...(ce.time !== undefined && { time: ce.time }),
    datacontenttype: 'application/json' as const,
    cluster: clusterOk.data,
  };

  let event: PorticoEvent;
  if (isResourceEventType(ce.type)) {
    const checked = validateResourceObject(ce.data, index);
    if ('error' in checked) return checked;
    // Reduced before anything else sees it: senders like Knative's ApiServerSource send whole Secrets.
    const object: ResourceObject = sanitizeObject(checked.object, secrets);
    const mismatch =
      attributeMismatch(ext, EXTENSION.kind, object.kind, index) ??
      attributeMismatch(ext, EXTENSION.resourceVersion, object.metadata.resourceVersion, index);
    if (mismatch) return { error: mismatch };
    const snap = ext[EXTENSION.snapshotId];
    if (snap !== undefined && !snapshotId.safeParse(snap).success) {
      return { error: reject('InvalidEnvelope', 'snapshotid: must be a valid snapshot id', index) };
    }
    const resourceEvent: ResourceEvent = {
      ...context,
      type: ce.type,
      kind: object.kind,
      resourceversion: object.metadata.resourceVersion,
      ...(snap !== undefined && { snapshotid: snap as string }),
      data: object,
    };
    event = resourceEvent;
  } else if (isSnapshotEventType(ce.type)) {
    const marker = snapshotMarkerData.safeParse(ce.data);
    if (!marker.success) {
      return { error: reject('InvalidSnapshotMarker', `data.${describeIssue(marker.error)}`, index) };
    }
    const mismatch =
      attributeMismatch(ext, EXTENSION.kind, marker.data.kind, index) ??
      attributeMismatch(ext, EXTENSION.snapshotId, marker.data.snapshotId, index);
    if (mismatch) return { error: mismatch };
    const markerEvent: SnapshotMarkerEvent = {
      ...context,
      type: ce.type,
      kind: marker.data.kind as KindName,
      snapshotid: marker.data.snapshotId,
      data: marker.data,
    };
    event = markerEvent;
  } else if (isReferenceEventType(ce.type)) {
    return {
      error: reject(
        'UnsupportedEventType',
        `${ce.type} carries only a reference; configure the ApiServerSource with mode: Resource`,
        index,
      ),
    };
  } else {
    return { error: reject('UnsupportedEventType', `event type ${ce.type} is not accepted`, index) };
  }

  const eventBytes = byteLength(JSON.stringify(event));
  if (eventBytes > limits.maxEventBytes) {
    return {
      error: reject('EventTooLarge', `event is ${eventBytes} bytes; at most ${limits.maxEventBytes}`, index),
    };
  }
  return { event };
}

function attributeMismatch(
  ext: Record<string, unknown>,
  name: string,
  expected: string,
  index: number | undefined,
): Rejection | undefined {
  const actual = ext[name];
  if (actual === undefined || actual === expected) return undefined;
  return reject(
    'AttributeMismatch',
    `extension ${name}=${JSON.stringify(actual)} disagrees with data (${JSON.stringify(expected)})`,
    index,
  );
}

function modeMediaType(mode: ContentMode): string {
  if (mode === 'structured') return STRUCTURED_MEDIA_TYPE;
  if (mode === 'batch') return BATCH_MEDIA_TYPE;
  return `${JSON_MEDIA_TYPE} with ce-* headers`;
}

function isJsonMediaType(media: string | undefined): boolean {
  return (
    media === JSON_MEDIA_TYPE || (media !== undefined && /^[a-z0-9.+-]+\/[a-z0-9.+-]*\+json$/.test(media))
  );
}

/** Binary mode: `ce-<attr>` headers (percent-encoded values) + the body as `data`. */
function eventFromBinary(
  headers: Record<string, string | undefined>,
  data: unknown,
): { event: Record<string, unknown> } | { error: Rejection } {
  const event: Record<string, unknown> = { data };
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('ce-') || value === undefined) continue;
    const attribute = name.slice(3);
    if (attribute === 'data' || attribute === 'data_base64') continue;
    try {
      event[attribute] = decodeURIComponent(value);
    } catch {
      return { error: reject('InvalidEnvelope', `header ${name} is not valid percent-encoding`) };
    }
  }
  const contentType = headers['content-type'];
  if (contentType !== undefined) event.datacontenttype = contentType;
  return { event };
}
