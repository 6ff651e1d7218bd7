// BackendTLSPolicy (Gateway API v1.4): which policy makes a Gateway speak TLS to a Service port, and
// what each policy's own references say. A policy targets Services of its own namespace, a port by
// name (`sectionName`) or the whole Service. For one port, a policy naming the port wins over those
// on the whole Service; between policies of the same reach the older wins (then the first by name)
// and the others are `Conflicted` there. CA bundles come from ConfigMaps of the policy's namespace.

import type { BackendPool, BackendTls } from '#core/ir/load-balancer.js';
import { BACKEND_TLS_POLICY_KIND, type BackendTLSPolicy } from '#core/model/backend-tls-policy.js';
import { GATEWAY_GROUP } from '#core/model/gateway-api.js';
import { objectKey } from '#core/model/meta.js';
import { readCaBundle } from '../ca-bundle.js';
import type { TranslateContext } from '../context.js';
import { comparePolicyAge } from '../policy-age.js';

/** What a policy's own content says, whichever port it is used on. */
export interface PolicyVerdict {
  policy: BackendTLSPolicy;
  /** The TLS settings, absent when no CA certificate could be read. */
  tls?: BackendTls;
  /** `Accepted=False` reason and message; absent = accepted. */
  refused?: { reason: 'NoValidCACertificate'; message: string };
  /** `ResolvedRefs=False` reason and message (the first bad reference); absent = all resolved. */
  unresolved?: { reason: 'InvalidKind' | 'InvalidCACertificateRef'; message: string };
}

/** A policy involved in a port: the one applied there, or one that lost to it. */
export interface PolicyUse {
  /** `namespace/name` of the policy. */
  policy: string;
  conflictedBy?: string;
}

export type BackendTlsResult =
  | { type: 'none' }
  | { type: 'tls'; pool: BackendPool; uses: PolicyUse[] }
  | {
      type: 'invalid';
      reason: 'InvalidKind' | 'InvalidCACertificateRef';
      message: string;
      uses: PolicyUse[];
    };

const verdicts = new WeakMap<TranslateContext, Map<string, PolicyVerdict>>();

/** Every policy's verdict, read once per translation. */
export function policyVerdict(ctx: TranslateContext, policy: BackendTLSPolicy): PolicyVerdict {
  let cache = verdicts.get(ctx);
  if (!cache) {
    cache = new Map();
    verdicts.set(ctx, cache);
  }
  const key = objectKey(policy);
  let verdict = cache.get(key);
  if (!verdict) {
    verdict = judge(ctx, policy);
    cache.set(key, verdict);
  }
  return verdict;
}

/**
 * The pool as the Gateway must speak to it: with `tls` when a valid policy applies to its Service
 * port (HTTP becomes HTTPS, and so does a default HTTP health check); `invalid` when the policy that
 * applies has no usable CA certificate (the Gateway API requires its requests to fail with 5xx).
 */
export function applyBackendTls(ctx: TranslateContext, pool: BackendPool): BackendTlsResult {
  const namespace = pool.source.namespace!;
  const service = ctx.services.get(`${namespace}/${pool.source.name}`);
  const portName = service?.spec.ports?.find((p) => p.port === pool.servicePort)?.name;
  const targeting = ctx.bundle.backendTlsPolicies.filter(
    (p) => p.metadata.namespace === namespace && p.spec.targetRefs.some((t) => targets(t, pool.source.name)),
  );
  const onPort = targeting.filter((p) =>
    p.spec.targetRefs.some(
      (t) => targets(t, pool.source.name) && t.sectionName !== undefined && t.sectionName === portName,
    ),
  );
  const onService = targeting.filter((p) =>
    p.spec.targetRefs.some((t) => targets(t, pool.source.name) && (t.sectionName ?? '') === ''),
  );
  const candidates = (onPort.length > 0 ? onPort : onService).sort(comparePolicyAge);
  const [winner, ...losers] = candidates;
  if (!winner) return { type: 'none' };
  const winnerKey = objectKey(winner);
  const uses: PolicyUse[] = [
    { policy: winnerKey },
    ...losers.map((p) => ({ policy: objectKey(p), conflictedBy: winnerKey })),
  ];
  const verdict = policyVerdict(ctx, winner);
  if (!verdict.tls) {
    const why = verdict.unresolved ?? { reason: 'InvalidCACertificateRef' as const, message: '' };
    return {
      type: 'invalid',
      reason: why.reason,
      message: `BackendTLSPolicy ${winnerKey} for Service ${namespace}/${pool.source.name} port ${pool.servicePort} has no valid CA certificate: ${why.message}`,
      uses,
    };
  }
  const healthCheck =
    pool.healthCheck.protocol === 'HTTP' && pool.healthCheck.origin === 'default'
      ? { ...pool.healthCheck, protocol: 'HTTPS' as const }
      : pool.healthCheck;
  const protocol = pool.protocol === 'HTTP' ? 'HTTPS' : pool.protocol;
  return {
    type: 'tls',
    pool: {
      ...pool,
      id: pool.id.replace(/\/[a-z0-9]+$/, `/${protocol.toLowerCase()}`),
      protocol,
      healthCheck,
      tls: verdict.tls,
    },
    uses,
  };
}

function targets(t: BackendTLSPolicy['spec']['targetRefs'][number], service: string): boolean {
  return t.group === '' && t.kind === 'Service' && t.name === service;
}

function judge(ctx: TranslateContext, policy: BackendTLSPolicy): PolicyVerdict {
  const namespace = policy.metadata.namespace!;
  const v = policy.spec.validation;
  const subjectAltNames = (v.subjectAltNames ?? []).map((s) =>
    s.type === 'Hostname'
      ? { type: 'Hostname' as const, value: s.hostname }
      : { type: 'URI' as const, value: s.uri },
  );
  const base = { serverName: v.hostname, subjectAltNames, policy: objectKey(policy) };
  if (v.wellKnownCACertificates === 'System') return { policy, tls: { ...base, trust: { type: 'System' } } };

  const pems: string[] = [];
  let unresolved: PolicyVerdict['unresolved'];
  for (const ref of v.caCertificateRefs ?? []) {
    const result =
      ref.namespace !== undefined && ref.namespace !== namespace
        ? {
            ok: false as const,
            reason: 'InvalidCACertificateRef' as const,
            message: `ConfigMap ${ref.namespace}/${ref.name} is not in the policy's namespace ${namespace}`,
          }
        : readCaBundle(
            ctx,
            { group: GATEWAY_GROUP, kind: BACKEND_TLS_POLICY_KIND, namespace },
            { group: ref.group, kind: ref.kind, name: ref.name },
          );
    if (result.ok) pems.push(result.pem);
    else
      unresolved ??= {
        reason: result.reason === 'InvalidKind' ? 'InvalidKind' : 'InvalidCACertificateRef',
        message: result.message,
      };
  }
  if (pems.length === 0)
    return {
      policy,
      refused: {
        reason: 'NoValidCACertificate',
        message: `no CA certificate reference could be used${unresolved ? `: ${unresolved.message}` : ''}`,
      },
      ...(unresolved ? { unresolved } : {}),
    };
  return {
    policy,
    tls: { ...base, trust: { type: 'Bundle', caCertificatesPem: pems.join('') } },
    ...(unresolved ? { unresolved } : {}),
  };
}
