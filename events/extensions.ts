import * as z from 'zod/mini';
import { DNS_LABEL } from './kinds.js';

/**
 * Portico's CloudEvents extension attributes (lower-case alphanumerics, at most 20 characters, as
 * the CloudEvents spec recommends). All are strings on the wire.
 */
export const EXTENSION = {
  /** Which cluster the event comes from. Required (or supplied by the credentials' configuration). */
  cluster: 'cluster',
  /** The object's kind (`Gateway`, `Service`, ...), or the listed kind for snapshot markers. */
  kind: 'kind',
  /** The object's `metadata.resourceVersion`. */
  resourceVersion: 'resourceversion',
  /** The (re)list an event belongs to; set on markers and on the `add` events of a list. */
  snapshotId: 'snapshotid',
} as const;

/** A cluster id: an RFC 1123 label, so it fits queue group ids, table keys and resource tags. */
export const clusterId = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(63),
    z.regex(DNS_LABEL, 'must be an RFC 1123 label (lower-case letters, digits, -)'),
  );

export const snapshotId = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(64),
    z.regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, ".", "_" or "-"'),
  );
