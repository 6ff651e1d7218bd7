import { createHash } from 'node:crypto';
import { isRecord, refId, refOf } from '#core/index/object-ref.js';

/**
 * A short hash naming a bundle's content: the sorted identities, uids and resourceVersions of its
 * objects. Kubernetes guarantees that uid + resourceVersion name one content, so an unchanged
 * fingerprint means an unchanged bundle and reconcile can return at once (setReconciled /
 * lastReconciled). Objects without a resourceVersion are hashed whole.
 */
export function bundleFingerprint(objects: readonly unknown[]): string {
  const lines = objects.map((o) => {
    const r = refOf(o);
    const meta = isRecord(o) && isRecord(o.metadata) ? o.metadata : {};
    const rv = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : undefined;
    const uid = typeof meta.uid === 'string' ? meta.uid : '';
    if (r && rv !== undefined) return `${refId(r)}\u0000${uid}\u0000${rv}`;
    return `?\u0000${JSON.stringify(o)}`;
  });
  lines.sort();
  const h = createHash('sha256');
  for (const l of lines) h.update(l).update('\n');
  return h.digest('base64url').slice(0, 32);
}
