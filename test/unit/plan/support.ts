import { compareFields } from '#core/plan/compare-fields.js';
import type { DesiredResource, DiffSpec, ObservedResource, PlanOptions } from '#core/plan/types.js';

/** A generic resource for plan tests: `refs` are the addresses it depends on, `mode` cannot change in place. */
export interface TestValue {
  refs?: string[];
  mode?: string;
  size?: number;
}

/** Any kind: every test resource has a TestValue. */
export type TestKinds = { kind: string; value: TestValue };

/** The load balancer every test plan is for. */
export const forKey: PlanOptions = { lbKey: 'c/Gateway/ns/n' };

/** Kind `d` is replaced delete-first (its name must be free), every other kind create-first. */
export const testSpec: DiffSpec<TestKinds> = {
  compare: (p) => compareFields(p.desired, p.observed, { replaceOn: ['mode'] }),
  replaceOrder: { d: 'delete-first' },
  dependsOn: (r) => r.value.refs ?? [],
};

export function desired(address: string, value: TestValue = {}): DesiredResource<TestKinds> {
  return { address, kind: address.split('/')[1]!, value };
}

export function observed(
  address: string,
  value: TestValue = {},
  extra: { owned?: boolean; id?: string } = {},
): ObservedResource<TestKinds> {
  return {
    address,
    kind: address.split('/')[1]!,
    value,
    owned: extra.owned ?? true,
    id: extra.id ?? `id-${address}`,
  };
}
