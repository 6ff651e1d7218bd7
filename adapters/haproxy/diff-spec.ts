import { compareFields } from '#core/plan/compare-fields.js';
import type { DiffSpec } from '#core/plan/types.js';
import type { HaproxyKinds } from './model.js';
import { haproxyReferences } from './render.js';

/** Every HAProxy resource changes in place; maps and certificates are referenced by frontends. */
export const haproxyDiffSpec: DiffSpec<HaproxyKinds> = {
  compare(pair) {
    // Slots only grow: a pool that shrinks keeps its free slots, so shrinking never reloads. The
    // same for backup slots (a pool whose zone lost its last endpoint keeps them, free).
    const ignore: string[] = [];
    if (pair.kind === 'backend') {
      if (pair.desired.slots <= pair.observed.slots) ignore.push('slots');
      if ((pair.desired.backupSlots ?? 0) <= (pair.observed.backupSlots ?? 0)) ignore.push('backupSlots');
    }
    return compareFields(pair.desired, pair.observed, { ignore });
  },
  dependsOn: haproxyReferences,
};
