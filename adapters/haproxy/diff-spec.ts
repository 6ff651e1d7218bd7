import { compareFields } from '#core/plan/compare-fields.js';
import type { DiffSpec } from '#core/plan/types.js';
import type { HaproxyKinds } from './model.js';
import { haproxyReferences } from './render.js';

/** Every HAProxy resource changes in place; maps and certificates are referenced by frontends. */
export const haproxyDiffSpec: DiffSpec<HaproxyKinds> = {
  compare(pair) {
    // Slots only grow: a pool that shrinks keeps its free slots, so shrinking never reloads.
    const ignore = pair.kind === 'backend' && pair.desired.slots <= pair.observed.slots ? ['slots'] : [];
    return compareFields(pair.desired, pair.observed, { ignore });
  },
  dependsOn: haproxyReferences,
};
