import { compareFields } from '#core/plan/compare-fields.js';
import type { DiffSpec } from '#core/plan/types.js';
import { type FakeKind, type FakeKinds, fakeReferences } from './resources.js';

/** Fields the fake provider cannot change in place, per kind (like an ELBv2 target group's protocol). */
const REPLACE_ON: Readonly<Partial<Record<FakeKind, readonly string[]>>> = {
  'load-balancer': ['scheme'],
  listener: ['protocol'],
  pool: ['protocol'],
};

export const fakeDiffSpec: DiffSpec<FakeKinds> = {
  compare: ({ kind, desired, observed }) =>
    compareFields(desired, observed, { replaceOn: REPLACE_ON[kind] ?? [] }),
  // Load balancer names are unique in the fake cloud, so a new one needs the old one gone.
  replaceOrder: { 'load-balancer': 'delete-first' },
  dependsOn: fakeReferences,
};
