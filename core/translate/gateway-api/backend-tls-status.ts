import { GATEWAY_GROUP } from '#core/model/gateway-api.js';
import { objectKey } from '#core/model/meta.js';
import { condition } from '#core/status/conditions.js';
import type { PolicyAncestorStatus } from '#core/status/types.js';
import { policyVerdict } from '../backend/backend-tls.js';
import type { TranslateContext } from '../context.js';
import type { LbBuilder } from './lb-builder.js';

/** The Gateway API keeps at most this many ancestors per policy. */
export const MAX_POLICY_ANCESTORS = 16;

/**
 * The status of every BackendTLSPolicy used by a route of a Gateway Portico programs: one ancestor
 * entry per such Gateway. `Accepted` is False when another policy won the port (`Conflicted`) or no
 * CA certificate could be read (`NoValidCACertificate`); `ResolvedRefs` is False at the first bad
 * CA reference (`InvalidKind`, `InvalidCACertificateRef`). A policy no route uses has no ancestor
 * and gets no status from Portico.
 */
export function pushBackendTlsPolicyStatuses(ctx: TranslateContext, builders: Iterable<LbBuilder>): void {
  const byPolicy = new Map<string, { keys: Set<string>; ancestors: PolicyAncestorStatus[] }>();
  const sorted = [...builders].sort((a, b) =>
    a.state.key < b.state.key ? -1 : a.state.key > b.state.key ? 1 : 0,
  );
  for (const builder of sorted) {
    const conflicts = new Map<string, string | undefined>();
    for (const use of builder.tlsPolicies) {
      if (!conflicts.has(use.policy) || use.conflictedBy) conflicts.set(use.policy, use.conflictedBy);
    }
    for (const [key, conflictedBy] of [...conflicts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const policy = ctx.bundle.backendTlsPolicies.find((p) => objectKey(p) === key);
      if (!policy) continue;
      const verdict = policyVerdict(ctx, policy);
      const generation = policy.metadata.generation;
      const gw = builder.state.gateway.metadata;
      const accepted = conflictedBy
        ? condition(
            'Accepted',
            false,
            'Conflicted',
            `BackendTLSPolicy ${conflictedBy} targets the same Service port and takes precedence (older, or first by name)`,
            generation,
          )
        : verdict.refused
          ? condition('Accepted', false, verdict.refused.reason, verdict.refused.message, generation)
          : condition('Accepted', true, 'Accepted', 'The policy is accepted', generation);
      const resolved = verdict.unresolved
        ? condition('ResolvedRefs', false, verdict.unresolved.reason, verdict.unresolved.message, generation)
        : condition(
            'ResolvedRefs',
            true,
            'ResolvedRefs',
            'All CA certificate references resolved',
            generation,
          );
      let entry = byPolicy.get(key);
      if (!entry) {
        entry = { keys: new Set(), ancestors: [] };
        byPolicy.set(key, entry);
      }
      entry.keys.add(builder.state.key);
      if (entry.ancestors.length < MAX_POLICY_ANCESTORS)
        entry.ancestors.push({
          ancestorRef: { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gw.namespace!, name: gw.name },
          controllerName: ctx.options.controllerName,
          conditions: [accepted, resolved],
        });
    }
  }
  for (const [key, { keys, ancestors }] of byPolicy) {
    const policy = ctx.bundle.backendTlsPolicies.find((p) => objectKey(p) === key)!;
    const generation = policy.metadata.generation;
    ctx.statuses.push({
      kind: 'BackendTLSPolicy',
      namespace: policy.metadata.namespace!,
      name: policy.metadata.name,
      ...(generation !== undefined ? { generation } : {}),
      loadBalancers: [...keys].sort(),
      status: { ancestors },
    });
  }
}
