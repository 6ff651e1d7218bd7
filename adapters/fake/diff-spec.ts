import { compareFields } from '#core/plan/compare-fields.js';
import type { DiffSpec } from '#core/plan/types.js';
import { type FakeValue, fakeReferences } from './resources.js';

/** Fields the fake provider cannot change in place, per kind (like an ELBv2 target group's protocol). */
const REPLACE_ON: Readonly<Record<string, readonly string[]>> = {
  'load-balancer': ['scheme'],
  listener: ['protocol'],
  pool: ['protocol'],
};

export const fakeDiffSpec: DiffSpec<FakeValue> = {
  compare: (desired, observed) =>
    compareFields(desired.value, observed.value, { replaceOn: REPLACE_ON[desired.kind] ?? [] }),
  // Load balancer names are unique in the fake cloud, so a new one needs the old one gone.
  replaceOrder: { 'load-balancer': 'delete-first' },
  dependsOn: (r) => fakeReferences(r.kind, r.value),
};
