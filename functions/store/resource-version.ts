/**
 * Ordering of Kubernetes resourceVersions, and the accept/reject decisions of the snapshot store.
 *
 * resourceVersions are opaque to clients, but the API server (etcd) hands out decimal revisions that
 * increase within one object. So: when both versions are decimal integers they are compared as
 * numbers (of any length); otherwise two different strings are "incomparable" and the later arrival
 * wins (events of one object arrive in order through a FIFO group), while an exact repeat is still
 * recognised as a duplicate.
 */

const DECIMAL = /^[0-9]+$/;

/** -1, 0 or 1 when `a` is older than, the same as or newer than `b`; undefined when incomparable (and different). */
export function compareResourceVersions(a: string, b: string): -1 | 0 | 1 | undefined {
  if (a === b) return 0;
  const ka = resourceVersionKey(a);
  const kb = resourceVersionKey(b);
  if (ka === undefined || kb === undefined) return undefined;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * A string whose byte order is the numeric order of a decimal resourceVersion (two-digit length,
 * then the digits without leading zeros), or undefined when the version is not decimal. Stores that
 * compare strings (DynamoDB conditions and sort keys) use it.
 */
export function resourceVersionKey(rv: string): string | undefined {
  if (!DECIMAL.test(rv) || rv.length > 99) return undefined;
  const digits = rv.replace(/^0+(?=.)/, '');
  return String(digits.length).padStart(2, '0') + digits;
}

/** What the store holds for one object identity: a live object or a tombstone. */
export interface VersionState {
  resourceVersion: string;
  uid?: string | undefined;
  deleted: boolean;
}

export type PutDecision = 'accept' | 'stale' | 'duplicate' | 'deleted';

/**
 * Whether an add/update event may replace what is stored:
 * - nothing stored: accept;
 * - a tombstone of the same uid: `deleted` (a late event of an object that is gone never resurrects it);
 * - same version: `duplicate` (`deleted` when that version was deleted);
 * - older version: `stale` (`deleted` when a tombstone is newer);
 * - newer or incomparable version: accept (a new object of the same name, after a tombstone, too).
 */
export function decidePut(stored: VersionState | undefined, incoming: VersionState): PutDecision {
  if (!stored) return 'accept';
  if (stored.deleted && incoming.uid && stored.uid === incoming.uid) return 'deleted';
  const c = compareResourceVersions(incoming.resourceVersion, stored.resourceVersion);
  if (c === 0) return stored.deleted ? 'deleted' : 'duplicate';
  if (c === -1) return stored.deleted ? 'deleted' : 'stale';
  return 'accept';
}

export type DeleteDecision = 'accept' | 'stale' | 'duplicate';

/**
 * Whether a delete event may turn what is stored into a tombstone. A delete carries the object's
 * last state, whose version may equal the stored one, so a live object of the same version is
 * deleted; an older version is stale; a repeat of a tombstone's version is a duplicate. A delete of
 * an object never seen still leaves a tombstone, so that its late add cannot create it.
 */
export function decideDelete(stored: VersionState | undefined, incoming: VersionState): DeleteDecision {
  if (!stored) return 'accept';
  const c = compareResourceVersions(incoming.resourceVersion, stored.resourceVersion);
  if (stored.deleted) return c === 0 ? 'duplicate' : c === -1 ? 'stale' : 'accept';
  return c === -1 ? 'stale' : 'accept';
}
