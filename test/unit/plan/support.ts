import { compareFields } from '#core/plan/compare-fields.js';
import type { DesiredResource, DiffSpec, ObservedResource } from '#core/plan/types.js';

/** A generic resource for plan tests: `refs` are the addresses it depends on, `mode` cannot change in place. */
export interface TestValue {
  refs?: string[];
  mode?: string;
  size?: number;
}

/** Kind `d` is replaced delete-first (its name must be free), every other kind create-first. */
export const testSpec: DiffSpec<TestValue> = {
  compare: (d, o) => compareFields(d.value, o.value, { replaceOn: ['mode'] }),
  replaceOrder: { d: 'delete-first' },
  dependsOn: (r) => r.value.refs ?? [],
};

export function desired(address: string, value: TestValue = {}): DesiredResource<TestValue> {
  return { address, kind: address.split('/')[1]!, value };
}

export function observed(
  address: string,
  value: TestValue = {},
  extra: { owned?: boolean; id?: string } = {},
): ObservedResource<TestValue> {
  return {
    address,
    kind: address.split('/')[1]!,
    value,
    owned: extra.owned ?? true,
    id: extra.id ?? `id-${address}`,
  };
}
