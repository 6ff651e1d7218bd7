import type { AnyKinds, Change } from './types.js';

/** The resource a change leaves in place, typed by the change's kind; `never` for a delete. */
export type DesiredOf<C> = C extends { kind: infer Kind; after: infer V }
  ? { address: string; kind: Kind; value: V }
  : never;

/**
 * The resource a create, update, replace or no-op leaves in place: its desired value at its address,
 * as a resource of its kind. A delete leaves none: asking for it is a programming error.
 */
export function desiredOf<C extends Change<AnyKinds>>(change: C): DesiredOf<C> {
  if (change.action === 'delete')
    throw new TypeError(`${change.address}: a delete leaves no desired resource`);
  // The change's kind and desired value belong together, so they make a resource of that kind.
  return { address: change.address, kind: change.kind, value: change.after } as DesiredOf<C>;
}
