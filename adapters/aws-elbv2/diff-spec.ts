// How ELBv2 resources are compared. Names hash every field that forces a replacement (naming.ts), so a
// replacement normally shows up as a new address; replaceOn still guards the same address. Fields
// AWS cannot change in place: LB type and scheme, target group protocol/port/target type/VPC, a
// listener's load balancer and port, a rule's content (its address is its content hash).

import { compareFields } from '#core/plan/compare-fields.js';
import type { ComparePair, DiffSpec, Resource } from '#core/plan/types.js';
import type {
  Elbv2Kind,
  Elbv2Kinds,
  Elbv2Value,
  ListenerValue,
  LoadBalancerValue,
  RuleAction,
  RuleCondition,
  RuleValue,
  TargetsValue,
} from './model.js';
import { elbv2Address } from './model.js';

const REPLACE_ON: Readonly<Record<Elbv2Kind, readonly string[]>> = {
  'load-balancer': ['name', 'type', 'scheme'],
  listener: ['loadBalancer', 'port'],
  'target-group': ['name', 'protocol', 'protocolVersion', 'port', 'targetType', 'vpcId', 'ipAddressType'],
  targets: ['targetGroup'],
  rule: ['loadBalancer', 'listenerPort', 'conditions', 'actions', 'transforms'],
  'trust-store': ['name'],
};

/** Not AWS fields: kept for status and observe, never compared. */
const IGNORE: Readonly<Partial<Record<Elbv2Kind, readonly string[]>>> = {
  'load-balancer': ['status'],
  'target-group': ['pool'],
  rule: ['routes', 'contentId'],
  // What apply uploads; the bundle's hash stands for it.
  'trust-store': ['bundle'],
};

const byJson = <T>(a: T, b: T) => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Order-insensitive forms of a desired and an observed value: sets are sorted, and only the
 * attributes Portico sets are compared.
 */
function normalize(pair: ComparePair<Elbv2Kinds>): { desired: Elbv2Value; observed: Elbv2Value } {
  switch (pair.kind) {
    case 'load-balancer': {
      const keys = Object.keys(pair.desired.attributes).sort();
      const lb = (v: LoadBalancerValue): LoadBalancerValue => ({
        ...v,
        subnets: [...v.subnets].sort(),
        securityGroups: [...v.securityGroups].sort(),
        attributes: Object.fromEntries(keys.map((k) => [k, v.attributes[k] ?? ''])),
      });
      return { desired: lb(pair.desired), observed: lb(pair.observed) };
    }
    case 'targets': {
      const targets = (v: TargetsValue): TargetsValue => ({ ...v, targets: [...v.targets].sort(byJson) });
      return { desired: targets(pair.desired), observed: targets(pair.observed) };
    }
    case 'rule': {
      const rule = (v: RuleValue): RuleValue => ({
        ...v,
        conditions: sortConditions(v.conditions),
        actions: v.actions.map(sortAction),
        transforms: v.transforms ?? [],
      });
      return { desired: rule(pair.desired), observed: rule(pair.observed) };
    }
    case 'listener': {
      // The default certificate is fixed; the SNI list is a set.
      const listener = (v: ListenerValue): ListenerValue => {
        if (!v.certificateArns) return v;
        const [first, ...rest] = v.certificateArns;
        return { ...v, certificateArns: first === undefined ? [] : [first, ...rest.sort()] };
      };
      return { desired: listener(pair.desired), observed: listener(pair.observed) };
    }
    case 'target-group':
    case 'trust-store':
      return pair;
  }
}

function sortConditions(cs: readonly RuleCondition[]): RuleCondition[] {
  return cs
    .map((c) => {
      if (c.field === 'query-string') return { ...c, values: [...c.values].sort(byJson) };
      if ('values' in c) return { ...c, values: [...c.values].sort() } as RuleCondition;
      return { ...c, regexValues: [...c.regexValues].sort() } as RuleCondition;
    })
    .sort(byJson);
}

function sortAction(a: RuleAction): RuleAction {
  return a.type === 'forward' ? { ...a, targetGroups: [...a.targetGroups].sort(byJson) } : a;
}

export const elbv2DiffSpec: DiffSpec<Elbv2Kinds> = {
  compare: (pair) => {
    const { desired, observed } = normalize(pair);
    return compareFields(desired, observed, {
      replaceOn: REPLACE_ON[pair.kind],
      ignore: IGNORE[pair.kind] ?? [],
    });
  },
  // A load balancer's name is unique per region: if its address is taken by a different type or
  // scheme, the old one has to go first. Everything else is created first (new names).
  replaceOrder: { 'load-balancer': 'delete-first' },
  dependsOn: (r) => elbv2References(r),
};

/** Addresses a resource refers to: created before it, deleted after it. */
export function elbv2References(resource: Resource<Elbv2Kinds>): string[] {
  const forwardTargets = (a: RuleAction) =>
    a.type === 'forward' ? a.targetGroups.map((t) => elbv2Address('target-group', t.name)) : [];
  switch (resource.kind) {
    case 'listener': {
      const v = resource.value;
      const trustStore = v.mutualAuthentication?.trustStore;
      return [
        elbv2Address('load-balancer', v.loadBalancer),
        ...(trustStore !== undefined ? [elbv2Address('trust-store', trustStore)] : []),
        ...forwardTargets(v.defaultAction),
      ];
    }
    case 'rule': {
      const v = resource.value;
      return [elbv2Address('listener', v.loadBalancer, v.listenerPort), ...v.actions.flatMap(forwardTargets)];
    }
    case 'targets':
      return [elbv2Address('target-group', resource.value.targetGroup)];
    default:
      return [];
  }
}
