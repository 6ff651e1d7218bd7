import * as z from 'zod/mini';
import { snapshotId } from './extensions.js';
import { READ_KIND_NAMES } from './kinds.js';

/**
 * `data` of `dev.portico.snapshot.start|end`. The forwarder sends `start` before the objects of a
 * (re)list of one kind and `end` after them; both carry the number of objects in that list. Every
 * `add` event of the list carries the same `snapshotid` extension, so the functions can tell when
 * they hold the complete list (all `count` objects and the `end` marker) whatever the delivery order.
 */
export const snapshotMarkerData = z.strictObject({
  kind: z.enum(READ_KIND_NAMES),
  snapshotId,
  count: z.int().check(z.minimum(0), z.maximum(1_000_000)),
  /** The list's `metadata.resourceVersion`. */
  resourceVersion: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

export type SnapshotMarkerData = z.infer<typeof snapshotMarkerData>;
