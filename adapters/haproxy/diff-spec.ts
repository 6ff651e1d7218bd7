import { compareFields } from '#core/plan/compare-fields.js';
import type { DiffSpec } from '#core/plan/types.js';
import type { BackendModel, HaproxyValue } from './model.js';
import { haproxyReferences } from './render.js';

/** Every HAProxy resource changes in place; maps and certificates are referenced by frontends. */
export const haproxyDiffSpec: DiffSpec<HaproxyValue> = {
  compare(desired, observed) {
    // Slots only grow: a pool that shrinks keeps its free slots, so shrinking never reloads.
    const d = desired.value as Partial<BackendModel>;
    const o = observed.value as Partial<BackendModel>;
    const ignore = desired.kind === 'backend' && (d.slots ?? 0) <= (o.slots ?? 0) ? ['slots'] : [];
    return compareFields(desired.value, observed.value, { ignore });
  },
  dependsOn: haproxyReferences,
};
