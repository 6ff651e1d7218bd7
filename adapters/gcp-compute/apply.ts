// apply: executionSteps(plan) with the Compute API, one step at a time, every mutation awaited to the
// end of its operation. Creates go parents first and deletes children first (the plan's order), so a
// certificate rotation is: insert the new SslCertificate → setSslCertificates → delete the old one.
// Ownership is re-read (get) right before anything is updated or deleted; an insert whose name is
// taken adopts the resource only when it carries this load balancer's marker. Safe to stop between
// any two calls: the next observe finds what was done by name and the plan resumes from there.

import { executionSteps, type Step } from '#core/plan/execution-steps.js';
import type { Plan } from '#core/plan/types.js';
import { ConflictError, InvalidConfigError, type LbStatus } from '../types.js';
import { toApi } from './internal/api-values.js';
import { type ApplyContext, applyContext, scopeOf } from './internal/apply-context.js';
import type { GcpCalls } from './internal/calls.js';
import { deleteResource, getResource } from './internal/collections.js';
import { type GcpKinds, gcpAddress } from './model.js';
import { updateBackendBucket } from './resources/backend-buckets.js';
import { backendServiceBody, setSecurityPolicy, updateBackendService } from './resources/backend-services.js';
import { updateForwardingRule } from './resources/forwarding-rules.js';
import { updateHealthCheck } from './resources/health-checks.js';
import {
  createLocationValue,
  deleteLocationValue,
  updateLocationValue,
} from './resources/location-resources.js';
import { syncNegEndpoints } from './resources/network-endpoint-groups.js';
import { updateTargetProxy } from './resources/target-proxies.js';
import { updateUrlMap } from './resources/url-maps.js';

export interface ApplyOptions {
  /** When set, only resources marked with this cluster count as owned. */
  cluster?: string;
}

type BuildStep = Extract<Step<GcpKinds>, { op: 'create' }>;
type UpdateStep = Extract<Step<GcpKinds>, { op: 'update' }>;
type DeleteStep = Extract<Step<GcpKinds>, { op: 'delete' }>;

export async function applyGcp(
  ctx: GcpCalls,
  plan: Plan<GcpKinds>,
  opts: ApplyOptions = {},
): Promise<LbStatus> {
  const ac = applyContext(ctx, plan.lbKey, opts.cluster);
  // A NEG deleted by this plan takes its endpoints with it: no detach first.
  const negsDeleted = new Set(
    plan.changes.flatMap((c) =>
      c.kind === 'network-endpoint-group' && c.action === 'delete' ? [c.address] : [],
    ),
  );
  for (const s of executionSteps(plan)) {
    if (s.op === 'create') await create(ac, s);
    else if (s.op === 'update') await update(ac, s);
    else await remove(ac, s, negsDeleted);
  }
  return status(ctx, plan);
}

async function create(ac: ApplyContext, { change: c }: BuildStep): Promise<void> {
  if (c.kind === 'neg-endpoints') {
    const neg = gcpAddress('network-endpoint-group', c.after.networkEndpointGroup, c.after.zone);
    await ac.recheck(neg, 'network-endpoint-group', c.after.networkEndpointGroup, { zone: c.after.zone });
    await syncNegEndpoints(ac, c.action === 'replace' ? c.before.endpoints : [], c.after);
    return;
  }
  if (
    c.kind === 'trust-config' ||
    c.kind === 'server-tls-policy' ||
    c.kind === 'backend-authentication-config' ||
    c.kind === 'service-lb-policy'
  )
    return createLocationValue(ac, c.address, c.kind, c.after);
  const v = c.after;
  const body = c.kind === 'backend-service' ? backendServiceBody(c.after) : toApi(v);
  await ac.createOrAdopt(c.address, c.kind, v.name, scopeOf(v), body);
  if (c.kind === 'backend-service' && c.after.securityPolicy !== undefined)
    await setSecurityPolicy(ac, c.after);
}

async function update(ac: ApplyContext, { change: c }: UpdateStep): Promise<void> {
  if (c.kind === 'neg-endpoints') {
    const neg = gcpAddress('network-endpoint-group', c.after.networkEndpointGroup, c.after.zone);
    const now = await ac.recheck(neg, 'network-endpoint-group', c.after.networkEndpointGroup, {
      zone: c.after.zone,
    });
    if (!now) throw new ConflictError(`${neg} is gone since it was observed`, neg);
    await syncNegEndpoints(ac, c.before.endpoints, c.after);
    return;
  }
  if (
    c.kind === 'trust-config' ||
    c.kind === 'server-tls-policy' ||
    c.kind === 'backend-authentication-config' ||
    c.kind === 'service-lb-policy'
  )
    return updateLocationValue(ac, c.address, c.kind, c.after, c.changedPaths ?? []);
  const now = await ac.recheck(c.address, c.kind, c.after.name, scopeOf(c.after));
  if (!now) throw new ConflictError(`${c.address} is gone since it was observed`, c.address);
  switch (c.kind) {
    case 'forwarding-rule':
      return updateForwardingRule(ac, c);
    case 'target-http-proxy':
    case 'target-https-proxy':
      return updateTargetProxy(ac, c);
    case 'url-map':
      return updateUrlMap(ac, c);
    case 'backend-service':
      return updateBackendService(ac, c);
    case 'health-check':
      return updateHealthCheck(ac, c);
    case 'backend-bucket':
      return updateBackendBucket(ac, c);
    default:
      throw new InvalidConfigError(
        `${c.address}: a ${c.kind} cannot change in place (${(c.changedPaths ?? []).join(', ')})`,
        c.address,
      );
  }
}

async function remove(ac: ApplyContext, { change: c }: DeleteStep, negsDeleted: Set<string>): Promise<void> {
  if (c.kind === 'neg-endpoints') {
    const neg = gcpAddress('network-endpoint-group', c.before.networkEndpointGroup, c.before.zone);
    if (negsDeleted.has(neg)) return;
    const now = await ac.recheck(neg, 'network-endpoint-group', c.before.networkEndpointGroup, {
      zone: c.before.zone,
    });
    if (now) await syncNegEndpoints(ac, c.before.endpoints, { ...c.before, endpoints: [] });
    return;
  }
  if (
    c.kind === 'trust-config' ||
    c.kind === 'server-tls-policy' ||
    c.kind === 'backend-authentication-config' ||
    c.kind === 'service-lb-policy'
  )
    return deleteLocationValue(ac, c.address, c.kind, c.before);
  const scope = scopeOf(c.before);
  const now = await ac.recheck(c.address, c.kind, c.before.name, scope);
  if (now) await deleteResource(ac.calls, c.kind, c.before.name, scope);
}

/** Programmed once every step is done; the addresses are the forwarding rules' IPs. */
async function status(ctx: GcpCalls, plan: Plan<GcpKinds>): Promise<LbStatus> {
  const errors = plan.conflicts.map((x) => ({ address: x.address, message: x.reason }));
  const ips = new Set<string>();
  for (const c of plan.changes) {
    if (c.kind !== 'forwarding-rule' || c.action === 'delete') continue;
    // Untouched: as observe saw it; else as it is now (an ephemeral IP is known once it exists).
    const ip =
      c.action === 'noop'
        ? c.before.IPAddress
        : (await getResource(ctx, 'forwarding-rule', c.after.name, scopeOf(c.after)))?.IPAddress;
    if (typeof ip === 'string' && ip !== '') ips.add(ip);
  }
  return {
    key: plan.lbKey,
    addresses: [...ips].sort().map((value) => ({ type: 'IPAddress' as const, value })),
    programmed: plan.conflicts.length === 0,
    ...(errors.length > 0 ? { errors } : {}),
  };
}
