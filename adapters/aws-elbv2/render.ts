// Pure: one IR load balancer → ELBv2 desired resources (load balancer, listeners, target groups,
// targets, rules) plus a notice for everything left out. Unsupported features drop their route or
// listener whole (capabilities.ts); values ALB cannot hold drop their route; quotas drop the
// lowest-precedence routes. Invalid parameters render nothing.

import type * as ir from '#core/ir/load-balancer.js';
import { ownershipTags } from '#core/naming/index.js';
import type { DesiredResource } from '#core/plan/types.js';
import { unsupportedFeatures, withoutUnsupported } from '../capabilities.js';
import type { AdapterNotice, Rendered } from '../types.js';
import { ALB_CAPABILITIES, ELBV2_LIMITS, NLB_CAPABILITIES } from './capabilities.js';
import { fixedResponse } from './internal/actions.js';
import { albRules, type PlannedRule } from './internal/alb-rules.js';
import { resolveCertificates } from './internal/certificates.js';
import { type Elbv2Limits, QuotaBudget } from './internal/quotas.js';
import { planTargetGroup, type TargetGroupPlan, targetGroupProtocols } from './internal/target-group-plan.js';
import { caBundleProblem, planTrustStore } from './internal/trust-store-plan.js';
import {
  AWS_ELBV2_ADAPTER,
  type Elbv2Kinds,
  elbv2Address,
  type ListenerValue,
  type LoadBalancerValue,
  type RuleValue,
  type Tags,
  type TrustStoreValue,
} from './model.js';
import { loadBalancerName } from './naming.js';
import { loadBalancerAttributes, parseParameters } from './parameters.js';

export interface Elbv2RenderOptions {
  /** Lower quotas (tests, accounts with raised or lowered limits). */
  limits?: Partial<Elbv2Limits>;
}

const L7: readonly ir.ListenerProtocol[] = ['HTTP', 'HTTPS'];

/** ALB when any listener is HTTP/HTTPS, else NLB: one ELBv2 load balancer cannot be both. */
export function loadBalancerType(lb: ir.LoadBalancer): LoadBalancerValue['type'] {
  return lb.listeners.length === 0 || lb.listeners.some((l) => L7.includes(l.protocol))
    ? 'application'
    : 'network';
}

export function renderElbv2(lb: ir.LoadBalancer, opts: Elbv2RenderOptions = {}): Rendered<Elbv2Kinds> {
  const parsed = parseParameters(lb);
  if (!parsed.ok) return { resources: [], notices: parsed.notices };
  const params = parsed.params;
  const type = loadBalancerType(lb);
  const alb = type === 'application';
  const caps = alb ? ALB_CAPABILITIES : NLB_CAPABILITIES;

  // Listeners of the other layer: one notice each, then the capability check on the rest.
  const notices: AdapterNotice[] = [];
  const sameLayer = lb.listeners.filter((l) => L7.includes(l.protocol) === alb);
  for (const l of lb.listeners)
    if (!sameLayer.includes(l))
      for (const source of l.sources.length > 0 ? l.sources : [lb.source])
        notices.push({
          severity: 'error',
          code: 'UnsupportedProtocol',
          feature: `listener/protocol/${l.protocol}`,
          source,
          listener: l.id,
          message:
            `listener ${l.id}: one ELBv2 load balancer is either an ALB (HTTP/HTTPS) or an NLB (TCP/UDP/TLS); ` +
            `this one is an ${alb ? 'ALB' : 'NLB'}: put ${l.protocol} listeners on a separate Gateway`,
        });
  const layered = { ...lb, listeners: sameLayer };
  const capNotices = unsupportedFeatures(layered, caps, AWS_ELBV2_ADAPTER);
  notices.push(...capNotices);
  // Source ranges or addresses we cannot honour: programming the rest would be wider than asked.
  if (capNotices.some((n) => n.listener === undefined)) return { resources: [], notices };
  const supported = withoutUnsupported(layered, capNotices);

  const limits: Elbv2Limits = { ...ELBV2_LIMITS, ...opts.limits };
  const budget = new QuotaBudget(limits);
  const extraTags: Tags = params.tags;
  const tags = (role: string): Tags => ({
    ...extraTags,
    ...ownershipTags({ cluster: lb.cluster, lbKey: lb.key, role }),
  });
  const lbName = loadBalancerName(lb, type);
  const lbValue: LoadBalancerValue = {
    name: lbName,
    type,
    scheme: lb.scheme,
    ipAddressType: ipAddressType(lb, params.ipAddressType, alb, notices),
    subnets: [...params.subnets].sort(),
    securityGroups: [...params.securityGroups].sort(),
    attributes: loadBalancerAttributes(params, type),
    tags: tags('load-balancer'),
  };
  if (
    lb.ipFamilies?.includes('IPv6') &&
    !lb.ipFamilies.includes('IPv4') &&
    lbValue.ipAddressType === 'dualstack'
  )
    notices.push({
      severity: 'warning',
      code: 'UnsupportedValue',
      feature: 'load-balancer/ip-family/IPv6-only',
      source: lb.source,
      message:
        'an ELBv2 load balancer cannot be IPv6 only: it is dualstack, with IPv4 addresses as well ' +
        '(awsElbv2.ipAddressType dualstack-without-public-ipv4 drops the public ones on internet-facing ALBs)',
    });
  if (!alb && params.idleTimeoutSeconds !== undefined)
    notices.push({
      severity: 'warning',
      code: 'UnsupportedValue',
      feature: 'parameters/idleTimeoutSeconds',
      source: lb.source,
      field: 'awsElbv2.idleTimeoutSeconds',
      message: 'idleTimeoutSeconds applies to ALBs only; ignored for this NLB',
    });

  // Target groups are planned on first use and kept only once a route using them is accepted.
  const pools = new Map(supported.pools.map((p) => [p.id, p]));
  const planned = new Map<string, TargetGroupPlan>();
  const used = new Map<string, TargetGroupPlan>();
  const targetGroupFor = (listener: ir.Listener) => (poolId: string) => {
    const pool = pools.get(poolId);
    if (!pool) return { reason: `pool ${poolId} is left out (see its notice)` };
    const protocols = targetGroupProtocols(pool, listener);
    if ('unsupported' in protocols) return { reason: protocols.unsupported };
    const key = `${poolId}\u0000${protocols.protocol}\u0000${protocols.protocolVersion ?? ''}`;
    let plan = planned.get(key);
    if (!plan) {
      plan = planTargetGroup(lb, pool, protocols, params, extraTags, lbValue.ipAddressType);
      planned.set(plan.value.name, plan);
      planned.set(key, plan);
    }
    return { name: plan.value.name };
  };
  const commit = (names: readonly string[]) => {
    for (const n of names) {
      const plan = planned.get(n);
      if (plan && !used.has(n)) {
        used.set(n, plan);
        notices.push(...plan.notices);
      }
    }
  };

  const listeners: ListenerValue[] = [];
  const trustStores: TrustStoreValue[] = [];
  const rules: RuleValue[] = [];
  const ports = new Set<number>();
  const originals = new Map(lb.listeners.map((l) => [l.id, l]));
  const onListener = (l: ir.Listener, n: Omit<AdapterNotice, 'source' | 'listener'>) => {
    for (const source of l.sources.length > 0 ? l.sources : [lb.source])
      notices.push({ ...n, source, listener: l.id });
  };

  for (const listener of supported.listeners) {
    if (ports.has(listener.port)) {
      onListener(listener, {
        severity: 'error',
        code: 'UnsupportedValue',
        feature: 'listener/port-conflict',
        message: `listener ${listener.id}: port ${listener.port} already has a listener on this load balancer`,
      });
      continue;
    }
    let certificateArns: string[] | undefined;
    const terminates = listener.protocol === 'HTTPS' || listener.tls?.mode === 'Terminate';
    if (terminates) {
      const r = resolveCertificates(listener, params);
      for (const p of r.problems)
        onListener(listener, {
          severity: r.arns.length > 0 ? 'warning' : 'error',
          code: p.code,
          feature: 'listener/certificate-arn',
          field: p.field,
          message: `listener ${listener.id}: ${p.message}`,
        });
      if (r.arns.length === 0) continue;
      certificateArns = r.arns;
    }
    const tlsFields = terminates ? { sslPolicy: params.sslPolicy, certificateArns } : {};

    if (alb) {
      // Client validation (AllowValidOnly: capabilities left out the rest) or no listener: admitting
      // clients without a certificate would be wider than asked.
      const validation = listener.tls?.clientValidation;
      let mtls: ReturnType<typeof planTrustStore> | undefined;
      if (validation) {
        const problem = !params.trustStoreBucket
          ? 'client certificate validation needs awsElbv2.trustStoreBucket in the LoadBalancerParameters (the S3 bucket the CA bundle is uploaded to)'
          : caBundleProblem(validation.caCertificatesPem);
        if (problem || !params.trustStoreBucket) {
          onListener(listener, {
            severity: 'error',
            code: 'UnsupportedValue',
            feature: 'listener/client-validation/trust-store',
            ...(params.trustStoreBucket ? {} : { field: 'awsElbv2.trustStoreBucket' }),
            message: `listener ${listener.id} left out: ${problem} (CA from ${validation.sources.join(', ')})`,
          });
          continue;
        }
        mtls = planTrustStore(lb, listener.port, validation, params.trustStoreBucket, tags('trust-store'));
        trustStores.push(mtls.trustStore);
      }
      ports.add(listener.port);
      listeners.push({
        loadBalancer: lbName,
        port: listener.port,
        protocol: listener.protocol as 'HTTP' | 'HTTPS',
        ...tlsFields,
        ...(mtls ? { mutualAuthentication: mtls.mutualAuthentication } : {}),
        defaultAction: fixedResponse(404, 'not found'),
        tags: tags('listener'),
      });
      const r = albRules(originals.get(listener.id) ?? listener, new Set(listener.routes.map((x) => x.id)), {
        budget,
        commit,
        targetGroup: targetGroupFor(listener),
      });
      notices.push(...r.notices);
      rules.push(...r.rules.map((rule, i) => ruleValue(rule, lbName, listener.port, i + 1, tags('rule'))));
      continue;
    }

    // NLB: the listener forwards to one target group; TLS/TCP/UDP have no content routing.
    const [first, ...rest] = listener.routes;
    for (const r of rest)
      notices.push({
        severity: 'error',
        code: 'UnsupportedValue',
        feature: 'listener/routes',
        source: r.source,
        listener: listener.id,
        route: r.id,
        message: `route ${r.id} left out: an NLB listener forwards to one target group (no SNI routing)`,
      });
    const live = first?.action.type === 'forward' ? first.action.backends.filter((b) => b.weight > 0) : [];
    const tg = live[0]?.pool ? targetGroupFor(listener)(live[0].pool) : undefined;
    if (!first || !tg || 'reason' in tg) {
      if (first)
        notices.push({
          severity: 'error',
          code: 'UnsupportedValue',
          feature: 'action/no-target-group',
          source: first.source,
          listener: listener.id,
          route: first.id,
          message: `route ${first.id} left out: ${tg && 'reason' in tg ? tg.reason : 'no live backend'}; an NLB listener needs a target group`,
        });
      else
        onListener(listener, {
          severity: 'warning',
          code: 'UnsupportedValue',
          feature: 'listener/no-route',
          message: `listener ${listener.id} has no route; an NLB listener needs a target group, so it is not created`,
        });
      continue;
    }
    const taken = budget.take(0, [tg.name]);
    if (!taken.ok) {
      notices.push({
        severity: 'error',
        code: 'LimitExceeded',
        feature: taken.feature,
        source: first.source,
        listener: listener.id,
        route: first.id,
        message: `route ${first.id} left out: ${taken.message}`,
      });
      continue;
    }
    commit([tg.name]);
    if (first.hostname !== undefined)
      notices.push({
        severity: 'warning',
        code: 'UnsupportedValue',
        feature: 'match/sni',
        source: first.source,
        listener: listener.id,
        route: first.id,
        message: `route ${first.id}: an NLB does not check SNI; connections for any hostname reach it`,
      });
    ports.add(listener.port);
    const protocol: ListenerValue['protocol'] =
      listener.protocol === 'TLS' && listener.tls?.mode !== 'Terminate' ? 'TCP' : listener.protocol;
    listeners.push({
      loadBalancer: lbName,
      port: listener.port,
      protocol,
      ...tlsFields,
      defaultAction: { type: 'forward', targetGroups: [{ name: tg.name, weight: 1 }] },
      tags: tags('listener'),
    });
  }

  type Desired = DesiredResource<Elbv2Kinds>;
  const tgs = [...used.values()].sort((a, b) => (a.value.name < b.value.name ? -1 : 1));
  return {
    resources: [
      { address: elbv2Address('load-balancer', lbName), kind: 'load-balancer', value: lbValue },
      ...trustStores.map(
        (t): Desired => ({ address: elbv2Address('trust-store', t.name), kind: 'trust-store', value: t }),
      ),
      ...listeners.map(
        (l): Desired => ({ address: listenerAddress(lbName, l.port), kind: 'listener', value: l }),
      ),
      ...tgs.map(
        (t): Desired => ({
          address: elbv2Address('target-group', t.value.name),
          kind: 'target-group',
          value: t.value,
        }),
      ),
      ...tgs.map(
        (t): Desired => ({
          address: elbv2Address('targets', t.value.name),
          kind: 'targets',
          value: t.targets,
        }),
      ),
      ...rules.map(
        (x): Desired => ({
          address: ruleAddress(lbName, x.listenerPort, x.contentId),
          kind: 'rule',
          value: x,
        }),
      ),
    ],
    notices,
  };
}

/**
 * IPv6 in the IR's families makes the load balancer dualstack (the IR wins over the parameters);
 * `dualstack-without-public-ipv4` only when the parameters ask for it, and only where AWS has it
 * (internet-facing ALBs).
 */
function ipAddressType(
  lb: ir.LoadBalancer,
  asked: LoadBalancerValue['ipAddressType'],
  alb: boolean,
  notices: AdapterNotice[],
): LoadBalancerValue['ipAddressType'] {
  if (asked === 'dualstack-without-public-ipv4') {
    if (alb && lb.scheme === 'internet-facing') return asked;
    notices.push({
      severity: 'warning',
      code: 'UnsupportedValue',
      feature: 'parameters/ipAddressType/dualstack-without-public-ipv4',
      source: lb.source,
      field: 'awsElbv2.ipAddressType',
      message:
        'dualstack-without-public-ipv4 is for internet-facing ALBs only; this load balancer is dualstack',
    });
    return 'dualstack';
  }
  return lb.ipFamilies?.includes('IPv6') ? 'dualstack' : asked;
}

export function listenerAddress(lbName: string, port: number): string {
  return elbv2Address('listener', lbName, port);
}

export function ruleAddress(lbName: string, port: number, contentId: string): string {
  return elbv2Address('rule', lbName, port, contentId);
}

function ruleValue(rule: PlannedRule, lbName: string, port: number, priority: number, tags: Tags): RuleValue {
  return {
    loadBalancer: lbName,
    listenerPort: port,
    priority,
    conditions: rule.conditions,
    actions: rule.actions,
    ...(rule.transforms.length > 0 ? { transforms: rule.transforms } : {}),
    contentId: rule.contentId,
    routes: rule.routes,
    tags,
  };
}
