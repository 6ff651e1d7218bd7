import * as z from 'zod/mini';
import { clusterId } from './extensions.js';
import { READ_KIND_NAMES } from './kinds.js';

/**
 * The status pull: the forwarder asks the status function (HTTP GET) for the status records written
 * after a cursor, and patches them into its cluster. The request has no body, so what is signed
 * (x-portico-signature, the same HMAC and secrets as event batches) is the canonical request line
 * from {@link statusRequestPayload}; the cluster is the one whose secret matched.
 */

/** The path of the status function on the HTTP API. */
export const STATUS_PATH = '/status';
/** Records per page: the default, and the most a request may ask for. */
export const DEFAULT_STATUS_PAGE = 200;
export const MAX_STATUS_PAGE = 1000;

/** Status cursors are opaque to the forwarder, but bounded and plain. */
export const statusCursor = z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9._:-]+$/));

export interface StatusQuery {
  /** Resume after this cursor; from the start of the stream when absent. */
  cursor?: string;
  limit: number;
}

/** The query string (without `?`), parameters in a fixed order. */
export function statusQueryString(query: StatusQuery): string {
  const params = new URLSearchParams();
  if (query.cursor !== undefined) params.set('cursor', query.cursor);
  params.set('limit', String(query.limit));
  return params.toString();
}

/** What the signature covers: `GET /status?<canonical query>`. */
export function statusRequestPayload(query: StatusQuery): string {
  return `GET ${STATUS_PATH}?${statusQueryString(query)}`;
}

/** Reads the query parameters of a status request; a string says what is wrong with them. */
export function parseStatusQuery(params: Readonly<Record<string, string | undefined>>): StatusQuery | string {
  for (const name of Object.keys(params)) {
    if (name !== 'cursor' && name !== 'limit') return `unknown query parameter ${JSON.stringify(name)}`;
  }
  const query: StatusQuery = { limit: DEFAULT_STATUS_PAGE };
  if (params.cursor !== undefined) {
    if (!statusCursor.safeParse(params.cursor).success) return 'cursor is not a status cursor';
    query.cursor = params.cursor;
  }
  if (params.limit !== undefined) {
    const limit = /^\d{1,6}$/.test(params.limit) ? Number(params.limit) : Number.NaN;
    if (!(limit >= 1 && limit <= MAX_STATUS_PAGE)) return `limit must be an integer in 1..${MAX_STATUS_PAGE}`;
    query.limit = limit;
  }
  return query;
}

const name = z.string().check(z.minLength(1), z.maxLength(253));

/**
 * What Portico withdraws from an object it no longer programs under the record's key (core/status
 * StatusRelease): Portico's conditions observed at `generation` or before (Gateway), Portico's
 * parent entries for the Gateway `parent` (routes), the `ingress` entries Portico wrote (Ingress,
 * Service). Never anything of another writer.
 */
export const statusRelease = z.object({
  kind: z.enum(READ_KIND_NAMES),
  namespace: z.optional(name),
  name,
  generation: z.optional(z.int().check(z.minimum(0))),
  parent: z.optional(z.object({ namespace: name, name })),
  ingress: z.optional(
    z
      .array(z.object({ ip: z.optional(z.string().check(z.maxLength(64))), hostname: z.optional(name) }))
      .check(z.maxLength(64)),
  ),
});

/**
 * A Pod's readiness gate one load balancer opens (docs/readiness-gates.md): the forwarder sets the
 * condition `conditionType` True on the Pod of the record's ref, if the Pod's readinessGates name it.
 * Checked strictly by the forwarder (forwarder/status-record.ts validatePodGateRecord).
 */
export const podGate = z.object({
  conditionType: z.string().check(z.minLength(1), z.maxLength(316)),
  message: z.string().check(z.maxLength(1024)),
});

/**
 * One record: the status one load balancer's reconcile computed for one object, or (`release`
 * instead of `status`) what it withdraws from an object it no longer writes, or (`gate`, ref a Pod)
 * a readiness gate it opens. Added compatibly: a forwarder that predates `release` or `gate` finds
 * no `status` in such a record, refuses it as invalid and moves past it, patching nothing.
 */
export const statusRecord = z.object({
  cursor: statusCursor,
  /** The load balancer whose reconcile wrote it (a route attached to several Gateways gets one per Gateway). */
  key: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
  ref: z.object({ kind: z.enum(READ_KIND_NAMES), namespace: z.optional(name), name }),
  /** A core/status ObjectStatus; checked again by the writer before anything is patched. */
  status: z.optional(z.unknown()),
  release: z.optional(statusRelease),
  gate: z.optional(podGate),
});

/** The status function's 200 reply. */
export const statusPage = z.object({
  cluster: clusterId,
  items: z.array(statusRecord).check(z.maxLength(MAX_STATUS_PAGE)),
  /** The cursor to ask from next (the last item's, or the one asked with when there were none). */
  next: z.optional(statusCursor),
  /** More records may follow `next` right now. */
  more: z.boolean(),
});

export type StatusRecordWire = z.infer<typeof statusRecord>;
export type StatusReleaseWire = z.infer<typeof statusRelease>;
export type PodGateWire = z.infer<typeof podGate>;
export type StatusPageWire = z.infer<typeof statusPage>;
