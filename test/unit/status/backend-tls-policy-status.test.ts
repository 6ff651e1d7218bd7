import { describe, expect, it } from 'vitest';
import { releaseOf } from '#core/status/release.js';
import type { ObjectStatus } from '#core/status/types.js';
import { translate } from '#core/translate/translate.js';
import type { ClusterObject } from '#kube/cluster-object.js';
import { planReleasePatch, planStatusPatch } from '#kube/status-patch.js';

// BackendTLSPolicy status (PolicyAncestorStatus): Portico writes one ancestor entry per Gateway it
// programs, keeps other controllers' entries, and withdraws its own per Gateway or as a whole.

const CONTROLLER = 'portico.dev/gateway-controller';
const NOW = '2026-06-01T00:00:00Z';
const gw = (name: string) => ({
  group: 'gateway.networking.k8s.io',
  kind: 'Gateway',
  namespace: 'infra',
  name,
});
const cond = (type: string, status: 'True' | 'False', reason: string) => ({
  type,
  status,
  reason,
  message: reason,
  observedGeneration: 2,
});
const policyObject = (ancestors: unknown[]): ClusterObject =>
  ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'BackendTLSPolicy',
    metadata: { name: 'p', namespace: 'app', resourceVersion: '7', generation: 2 },
    spec: {},
    status: { ancestors },
  }) as unknown as ClusterObject;
const desired = (gateway: string, accepted: boolean): ObjectStatus => ({
  kind: 'BackendTLSPolicy',
  namespace: 'app',
  name: 'p',
  generation: 2,
  loadBalancers: [`c/Gateway/infra/${gateway}`],
  status: {
    ancestors: [
      {
        ancestorRef: gw(gateway),
        controllerName: CONTROLLER,
        conditions: [
          cond('Accepted', accepted ? 'True' : 'False', accepted ? 'Accepted' : 'Conflicted'),
          cond('ResolvedRefs', 'True', 'ResolvedRefs'),
        ],
      },
    ],
  },
});
const foreign = { ancestorRef: gw('theirs'), controllerName: 'example.com/other', conditions: [] };

describe('BackendTLSPolicy status patches', () => {
  it("writes Portico's ancestor, keeps other controllers' and (a partial write) Portico's other Gateways'", () => {
    const ours = desired('b', true).status as unknown as { ancestors: Record<string, unknown>[] };
    const existing = policyObject([foreign, { ...ours.ancestors[0]!, ancestorRef: gw('b') }]);
    const patch = planStatusPatch(existing, desired('a', false), { controllerName: CONTROLLER, now: NOW });
    const ancestors = (
      patch as {
        ancestors: {
          ancestorRef: { name: string };
          conditions: { reason: string; lastTransitionTime: string }[];
        }[];
      }
    ).ancestors;
    expect(ancestors.map((a) => a.ancestorRef.name)).toEqual(['theirs', 'b', 'a']);
    expect(ancestors[2]!.conditions.map((c) => [c.reason, c.lastTransitionTime])).toEqual([
      ['Conflicted', NOW],
      ['ResolvedRefs', NOW],
    ]);
    // A whole translation that no longer names Gateway b drops Portico's entry for it.
    const complete = planStatusPatch(existing, desired('a', true), {
      controllerName: CONTROLLER,
      now: NOW,
      complete: true,
    });
    expect(
      (complete as { ancestors: { ancestorRef: { name: string } }[] }).ancestors.map(
        (a) => a.ancestorRef.name,
      ),
    ).toEqual(['theirs', 'a']);
  });

  it('writes nothing when the status already says it', () => {
    const once = planStatusPatch(policyObject([]), desired('a', true), {
      controllerName: CONTROLLER,
      now: NOW,
    });
    const again = policyObject((once as { ancestors: unknown[] }).ancestors);
    expect(
      planStatusPatch(again, desired('a', true), { controllerName: CONTROLLER, now: 'later' }),
    ).toBeUndefined();
  });

  it("releases Portico's entry for one Gateway's key, or all of Portico's entries", () => {
    const existing = policyObject([
      foreign,
      { ancestorRef: gw('a'), controllerName: CONTROLLER, conditions: [] },
      { ancestorRef: gw('b'), controllerName: CONTROLLER, conditions: [] },
    ]);
    const one = releaseOf(desired('a', true), 'c/Gateway/infra/a');
    expect(one).toEqual({
      kind: 'BackendTLSPolicy',
      namespace: 'app',
      name: 'p',
      parent: { namespace: 'infra', name: 'a' },
    });
    const names = (p: unknown) =>
      (p as { ancestors: { ancestorRef: { name: string } }[] }).ancestors.map((a) => a.ancestorRef.name);
    expect(names(planReleasePatch(existing, one!, { controllerName: CONTROLLER }))).toEqual(['theirs', 'b']);
    const all = releaseOf(desired('a', true));
    expect(names(planReleasePatch(existing, all!, { controllerName: CONTROLLER }))).toEqual(['theirs']);
  });
});

describe('BackendTLSPolicy status from a translation', () => {
  it('a route that does not use the targeted Service gives the policy no ancestor', () => {
    const result = translate([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: 'portico' },
        spec: { controllerName: CONTROLLER },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'BackendTLSPolicy',
        metadata: { name: 'p', namespace: 'app' },
        spec: {
          targetRefs: [{ group: '', kind: 'Service', name: 'unused' }],
          validation: { wellKnownCACertificates: 'System', hostname: 'x.internal' },
        },
      },
    ]);
    expect(result.statuses.filter((s) => s.kind === 'BackendTLSPolicy')).toEqual([]);
  });

  it('refuses a policy with both or neither of caCertificateRefs and wellKnownCACertificates', () => {
    const result = translate([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'BackendTLSPolicy',
        metadata: { name: 'p', namespace: 'app' },
        spec: {
          targetRefs: [{ group: '', kind: 'Service', name: 's' }],
          validation: { hostname: 'x.internal' },
        },
      },
    ]);
    expect(result.notices.map((n) => n.message)).toEqual([
      'exactly one of caCertificateRefs and wellKnownCACertificates must be set; the object is ignored',
    ]);
  });
});
