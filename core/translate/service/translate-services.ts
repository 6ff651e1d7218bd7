import { lbKey } from '#core/ir/lb-key.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import type { Service } from '#core/model/service.js';
import { sourceOf, type TranslateContext } from '../context.js';
import { ipFamiliesField, settingsFromParameters } from '../parameters.js';
import { serviceIpFamilies } from './ip-families.js';
import { serviceOwnership } from './load-balancer-class.js';
import type { Problem } from './problem.js';
import { requestedAddresses } from './requested-addresses.js';
import { serviceScheme } from './scheme.js';
import { serviceListeners } from './service-listeners.js';
import { resolveServiceParameters } from './service-parameters.js';
import { serviceSourceRanges } from './source-ranges.js';

/**
 * Services of `type: LoadBalancer` that are Portico's (see load-balancer-class.ts) become one load
 * balancer each, keyed `<cluster>/Service/<namespace>/<name>`: one TCP or UDP listener per port,
 * forwarding to that port's endpoints. Any error stops the whole Service (no partial, possibly wider,
 * load balancer); warnings drop only what they name. A Service stopped by an error in its settings is
 * held: the load balancer already programmed for it stays as it was, rather than a typo taking it
 * down. Only a Service with nothing to serve (no usable port) loses its load balancer. Every Service
 * of ours gets a status entry. docs/services.md describes the behaviour for users. With `only`, just
 * the Service of that key (a key's bundle holds other Services as backends).
 */
export function translateServices(ctx: TranslateContext, only?: LbKey): LoadBalancer[] {
  const out: LoadBalancer[] = [];
  for (const service of ctx.bundle.services) {
    const m = service.metadata;
    if (only !== undefined && lbKey(ctx.options.cluster, 'Service', m.namespace!, m.name) !== only) continue;
    const lb = translateService(ctx, service);
    if (lb) out.push(lb);
  }
  return out;
}

function translateService(ctx: TranslateContext, service: Service): LoadBalancer | undefined {
  const ownership = serviceOwnership(service, ctx.options);
  if (!ownership.ours) return undefined;
  const namespace = service.metadata.namespace!;
  const name = service.metadata.name;
  const key = lbKey(ctx.options.cluster, 'Service', namespace, name);
  const problems: Problem[] = [];
  const built = build(ctx, service, key, ownership, problems);
  const errors = problems.filter((p) => p.severity === 'error');
  const lb = errors.length > 0 ? undefined : built;
  for (const p of problems) ctx.notice({ ...p, source: sourceOf(service) });
  const held = errors.length > 0 && !errors.some((p) => p.code === 'NoPorts');
  if (held) ctx.held.push({ key, reason: errors.map((p) => p.message).join('; ') });
  ctx.statuses.push({
    kind: 'Service',
    namespace,
    name,
    ...(service.metadata.generation !== undefined ? { generation: service.metadata.generation } : {}),
    // A held load balancer keeps serving, so its addresses stay in the status.
    loadBalancers: lb || held ? [key] : [],
    status: { loadBalancer: {} },
  });
  return lb;
}

function build(
  ctx: TranslateContext,
  service: Service,
  key: string,
  ownership: ReturnType<typeof serviceOwnership> & { ours: true },
  problems: Problem[],
): LoadBalancer | undefined {
  if ('problem' in ownership) {
    problems.push(ownership.problem);
    return undefined;
  }
  const { provider } = ownership;
  if ((service.spec.ports ?? []).length === 0) {
    problems.push({
      severity: 'error',
      code: 'NoPorts',
      field: 'spec.ports',
      message: 'spec.ports: the Service has no ports, so there is nothing to load-balance',
    });
    return undefined;
  }
  const parameters = resolveServiceParameters(ctx, service, provider);
  if (!parameters.ok) {
    problems.push(parameters.problem);
    return undefined;
  }
  // The remaining checks are independent: report them all at once.
  const scheme = serviceScheme(service, parameters.parameters);
  if (scheme.ok) problems.push(...scheme.notes);
  else problems.push(scheme.problem);
  const ranges = serviceSourceRanges(service, parameters.parameters);
  if (!ranges.ok) problems.push(...ranges.problems);
  const addresses = requestedAddresses(service);
  if (!addresses.ok) problems.push(addresses.problem);
  const families = serviceIpFamilies(service, addresses.ok ? addresses.addresses : []);
  if (!families.ok) problems.push(families.problem);
  const { listeners, pools, problems: portProblems } = serviceListeners(ctx, service);
  problems.push(...portProblems);
  if (!scheme.ok || !ranges.ok || !addresses.ok || !families.ok) return undefined;
  if (listeners.length === 0) {
    problems.push({
      severity: 'error',
      code: 'NoPorts',
      field: 'spec.ports',
      message: 'spec.ports: none of the Service ports can be served, so no load balancer is built',
    });
    return undefined;
  }
  return {
    key,
    cluster: ctx.options.cluster,
    source: sourceOf(service),
    provider,
    scheme: scheme.scheme,
    requestedAddresses: addresses.addresses,
    sourceRanges: ranges.sourceRanges,
    ...ipFamiliesField(families.ipFamilies),
    listeners,
    pools,
    providerParameters: settingsFromParameters(ctx, parameters.parameters).providerParameters,
  };
}
