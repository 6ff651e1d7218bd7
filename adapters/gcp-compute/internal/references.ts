// The Compute resources a value refers to (target, urlMap, services, health checks, NEGs,
// certificates), with their scope: what observe follows from an owned resource.

import { COLLECTIONS, type ReferencedKind } from '../model.js';
import type { Scope } from './collections.js';

const LINK =
  /(?:^|\/)(?:global|regions\/([a-z0-9-]+)|zones\/([a-z0-9-]+))\/([a-zA-Z]+)\/([a-z](?:[-a-z0-9]*[a-z0-9])?)$/;
const KIND_OF = new Map<string, ReferencedKind>(
  Object.entries(COLLECTIONS).map(([kind, collection]) => [collection as string, kind as ReferencedKind]),
);

export function referencesOf(value: unknown): { kind: ReferencedKind; name: string; scope: Scope }[] {
  const out = new Map<string, { kind: ReferencedKind; name: string; scope: Scope }>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      const m = LINK.exec(v);
      const kind = m ? KIND_OF.get(m[3]!) : undefined;
      if (m && kind) {
        const scope: Scope = m[2] !== undefined ? { zone: m[2] } : m[1] !== undefined ? { region: m[1] } : {};
        out.set(`${kind}/${m[1] ?? m[2] ?? ''}/${m[4]}`, { kind, name: m[4]!, scope });
      }
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return [...out.values()];
}
