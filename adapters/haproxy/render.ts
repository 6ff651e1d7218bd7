// Pure: one IR load balancer → the HAProxy model of it, as plan resources, plus a notice for every
// feature or value left out. Unsupported features (capabilities.ts) drop their route or listener
// whole; values that cannot be written safely drop the route (or listener, or pool) they are in.

import { isIPv4, isIPv6 } from 'node:net';
import type * as ir from '#core/ir/load-balancer.js';
import type { DesiredResource, Resource } from '#core/plan/types.js';
import { unsupportedFeatures, withoutUnsupported } from '../capabilities.js';
import type { AdapterNotice, Rendered } from '../types.js';
import { HAPROXY_CAPABILITIES } from './capabilities.js';
import { planBackendTls } from './config/backend-tls.js';
import { backendModel, type PoolPlan, planPool } from './config/backends.js';
import { renderCertificates } from './config/certificates.js';
import { renderClientValidation } from './config/client-validation.js';
import { cidr, UnsafeValueError } from './config/escape.js';
import { FieldError } from './config/field-error.js';
import type { FrontendScope } from './config/frontend-scope.js';
import { type HttpRouteMemo, renderHttpFrontend } from './config/http-frontend.js';
import { retryBackendName, UnsupportedRetryError } from './config/retry.js';
import { renderTcpFrontend } from './config/tcp-frontend.js';
import { terminatesTls } from './config/tls-mixed.js';
import {
  type BackendModel,
  type CertModel,
  type FrontendModel,
  HAPROXY_ADAPTER,
  type HaproxyKinds,
  type LbModel,
  type MapModel,
  POOL_ADDRESS,
  POOL_ADDRESS6,
} from './model.js';
import { backendName, haproxyAddress, lbId } from './naming.js';

export interface HaproxyRenderContext {
  /**
   * The operator's address pool (static configuration), to tell whether a requested address can be
   * honoured. Absent (as in `portico plan`): any requested IPv4 address is taken as given.
   */
  pool?: readonly string[];
  /** Server slots every backend has at least (default DEFAULT_SLOT_MINIMUM, see slotCountFor). */
  slotMinimum?: number;
  /** The zone HAProxy runs in: pools preferring close endpoints keep other zones' as backups. */
  zone?: string;
  /** Compiled routes kept from the last render (the adapter's own); absent = compile every route. */
  routeMemo?: HttpRouteMemo;
}

/** The model of one load balancer and the notices; renderHaproxy wraps it as resources. */
export function renderHaproxyModel(
  lb: ir.LoadBalancer,
  ctx: HaproxyRenderContext = {},
): { model: LbModel; notices: AdapterNotice[] } {
  const { address, address6, notices: addressNotices } = bindAddresses(lb, ctx.pool);
  const id = lbId(lb.key);
  const notices = [
    ...unsupportedFeatures(lb, HAPROXY_CAPABILITIES, HAPROXY_ADAPTER),
    ...addressNotices,
    ...sourceRangeNotices(lb),
  ];
  const supported = withoutUnsupported(lb, notices);

  const plans = new Map<string, PoolPlan>();
  for (const pool of supported.pools) {
    try {
      const tls = planBackendTls(lb.key, id, pool, lb.backendClientCertificate);
      const plan = { ...planPool(pool, ctx.zone), ...(tls ? { tls } : {}) };
      if (pool.topology === 'PreferClose' && ctx.zone === undefined)
        notices.push({
          severity: 'warning',
          code: 'UnsupportedValue',
          feature: 'pool/topology/PreferClose',
          source: pool.source,
          pool: pool.id,
          message: `pool ${pool.id}: traffic cannot be kept in the zone (PreferClose) because the HAProxy adapter has no zone configured; every endpoint gets traffic`,
        });
      plans.set(pool.id, plan);
      for (const s of plan.skipped)
        notices.push({
          severity: 'warning',
          code: 'UnsupportedValue',
          feature: 'unsafe-value/endpoint',
          source: pool.source,
          pool: pool.id,
          field: `endpoints[${s.index}]`,
          message: `pool ${pool.id}: endpoint ${s.index} left out: ${s.reason}`,
        });
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      // Routes keep working: this pool's share is answered like an unresolved backend (500).
      notices.push({
        severity: 'error',
        code: 'UnsupportedValue',
        feature: `unsafe-value/${err.kind}`,
        source: pool.source,
        pool: pool.id,
        field: err.field,
        message: `pool ${pool.id}: ${err.field} cannot be programmed safely in HAProxy: ${err.reason}`,
      });
    }
  }

  const backends = new Map<string, BackendModel>();
  const frontends: FrontendModel[] = [];
  const maps: MapModel[] = [];
  // Backend TLS files of the pools (a pool no backend ends up using still has them: harmless).
  const certs: CertModel[] = uniqueByName([...plans.values()].flatMap((p) => p.tls?.certs ?? []));
  const sourceRanges = supported.sourceRanges.length > 0 ? [...supported.sourceRanges] : [];
  const scope: Omit<FrontendScope, 'tls'> = {
    lbKey: lb.key,
    lb: id,
    address,
    ...(address6 !== undefined ? { address6 } : {}),
    sourceRanges,
    ...(ctx.routeMemo ? { routeMemo: ctx.routeMemo } : {}),
    backend(pool, mode, retry) {
      const plan = pool === null ? undefined : plans.get(pool);
      if (!plan) return undefined;
      const backendRetry = mode === 'http' ? retry : undefined;
      const name = backendRetry
        ? retryBackendName(lb.key, plan.pool.id, backendRetry)
        : backendName(lb.key, plan.pool.id, mode);
      if (!backends.has(name))
        backends.set(name, backendModel(lb.key, id, plan, mode, backendRetry, ctx.slotMinimum));
      return name;
    },
    warnRoute(listener, route, feature, message) {
      notices.push({
        severity: 'warning',
        code: 'UnsupportedValue',
        feature,
        source: route.source,
        listener: listener.id,
        route: route.id,
        message: `route ${route.id}: ${message}`,
      });
    },
    rejectRoute(listener, route, err) {
      if (err instanceof UnsupportedRetryError)
        return void notices.push({
          severity: 'error',
          code: 'UnsupportedValue',
          feature: 'retry/codes',
          source: route.source,
          listener: listener.id,
          route: route.id,
          field: err.field,
          message: `route ${route.id}: ${err.reason}`,
        });
      notices.push({
        severity: 'error',
        code: err.kind === 'header-size' ? 'LimitExceeded' : 'UnsupportedValue',
        feature: `unsafe-value/${err.kind}`,
        source: route.source,
        listener: listener.id,
        route: route.id,
        field: err.field,
        message: `route ${route.id}: ${err.field} cannot be programmed safely in HAProxy: ${err.reason}`,
      });
    },
  };

  for (const listener of supported.listeners) {
    let tls: FrontendScope['tls'];
    if (terminatesTls(listener)) {
      try {
        const r = renderCertificates(lb.key, id, listener);
        const v = renderClientValidation(lb.key, id, listener, r.tls);
        tls = v.tls;
        certs.push(...r.certs, ...v.certs);
      } catch (err) {
        if (!(err instanceof FieldError)) throw err;
        for (const source of listener.sources.length > 0 ? listener.sources : [lb.source])
          notices.push({
            severity: 'error',
            code: 'UnsupportedValue',
            feature: `unsafe-value/${err.kind}`,
            source,
            listener: listener.id,
            field: err.field,
            message: `listener ${listener.id}: ${err.reason}`,
          });
        continue;
      }
    } else if (listener.tls?.mode === 'Passthrough') tls = { mode: 'Passthrough' };
    const s: FrontendScope = { ...scope, ...(tls ? { tls } : {}) };
    const r =
      listener.protocol === 'HTTP' || listener.protocol === 'HTTPS'
        ? renderHttpFrontend(listener, s)
        : renderTcpFrontend(listener, s);
    frontends.push(r.frontend);
    maps.push(...r.maps);
  }

  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    model: {
      id,
      frontends,
      backends: [...backends.values()].sort(byName),
      maps: maps.sort(byName),
      certs: certs.sort(byName),
    },
    notices,
  };
}

/**
 * The bind addresses, one per IP family of the load balancer (IPv4 first for dual-stack): for each,
 * a requested IP address of that family that the pool holds (the first such one), else the pool
 * placeholder (apply then gives the load balancer an address of its own). A request that cannot be
 * honoured is an error notice, and the load balancer still gets a pool address; a family the pool
 * has no address of stops the load balancer (an error notice on it).
 */
function bindAddresses(
  lb: ir.LoadBalancer,
  pool: readonly string[] | undefined,
): { address: string; address6?: string; notices: AdapterNotice[] } {
  const families = lb.ipFamilies ?? ['IPv4'];
  const notices: AdapterNotice[] = [];
  const requested = lb.requestedAddresses.filter((a) => a.type === 'IPAddress').map((a) => a.value);
  const pick = (family: ir.IpFamily): string => {
    const placeholder = family === 'IPv4' ? POOL_ADDRESS : POOL_ADDRESS6;
    const ofFamily = (a: string) => (family === 'IPv4' ? isIPv4(a) : isIPv6(a));
    if (pool !== undefined && !pool.some(ofFamily))
      notices.push({
        severity: 'error',
        code: 'UnsupportedValue',
        feature: `load-balancer/ip-family/${family}`,
        source: lb.source,
        field: 'ipFamilies',
        message: `the load balancer listens on ${family}, but the HAProxy address pool has no ${family} address`,
      });
    const wanted = requested.filter(ofFamily);
    if (wanted.length === 0) return placeholder;
    const usable = wanted.find((a) => pool === undefined || pool.includes(a));
    if (usable !== undefined) return usable;
    notices.push({
      severity: 'error',
      code: 'UnsupportedValue',
      feature: 'load-balancer/address/IPAddress',
      source: lb.source,
      field: 'requestedAddresses',
      message: `requested address ${wanted.join(', ')} is not in the HAProxy address pool; an address from the pool is used instead`,
    });
    return placeholder;
  };
  if (!families.includes('IPv4')) return { address: pick('IPv6'), notices };
  const address = pick('IPv4');
  return families.includes('IPv6') ? { address, address6: pick('IPv6'), notices } : { address, notices };
}

/** Source ranges we cannot read: nothing is programmed. */
function sourceRangeNotices(lb: ir.LoadBalancer): AdapterNotice[] {
  const notices: AdapterNotice[] = [];
  lb.sourceRanges.forEach((r, i) => {
    try {
      cidr(r);
    } catch (err) {
      // Ignoring one range would open the load balancer wider than asked: nothing is programmed.
      notices.push({
        severity: 'error',
        code: 'UnsupportedValue',
        feature: 'unsafe-value/source-range',
        source: lb.source,
        field: `sourceRanges[${i}]`,
        message: err instanceof UnsafeValueError ? err.reason : String(err),
      });
    }
  });
  return notices;
}

/** Pure: the IR as HAProxy resources (one per frontend, backend, map and certificate), plus notices. */
export function renderHaproxy(lb: ir.LoadBalancer, ctx: HaproxyRenderContext = {}): Rendered<HaproxyKinds> {
  const { model, notices } = renderHaproxyModel(lb, ctx);
  return { resources: modelResources(model), notices };
}

export function modelResources(model: LbModel): DesiredResource<HaproxyKinds>[] {
  type Desired = DesiredResource<HaproxyKinds>;
  return [
    ...model.frontends.map(
      (f): Desired => ({ address: haproxyAddress('frontend', f.lb, f.listener), kind: 'frontend', value: f }),
    ),
    ...model.backends.map(
      (b): Desired => ({ address: haproxyAddress('backend', b.name), kind: 'backend', value: b }),
    ),
    ...model.maps.map((m): Desired => ({ address: haproxyAddress('map', m.name), kind: 'map', value: m })),
    ...model.certs.map((c): Desired => ({ address: haproxyAddress('cert', c.name), kind: 'cert', value: c })),
  ];
}

/** The models back from resources (desired or observed) of any number of load balancers. */
export function modelsFromResources(resources: readonly Resource<HaproxyKinds>[]): LbModel[] {
  const models = new Map<string, LbModel>();
  const of = (id: string) => {
    let m = models.get(id);
    if (!m) {
      m = { id, frontends: [], backends: [], maps: [], certs: [] };
      models.set(id, m);
    }
    return m;
  };
  for (const res of resources) {
    if (res.kind === 'frontend') of(res.value.lb).frontends.push(res.value);
    else if (res.kind === 'backend') of(res.value.lb).backends.push(res.value);
    else if (res.kind === 'map') of(res.value.lb).maps.push(res.value);
    else of(res.value.lb).certs.push(res.value);
  }
  return [...models.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** References for the planner's dependency order: frontends after their maps, backends and certs. */
export function haproxyReferences(resource: Resource<HaproxyKinds>): string[] {
  if (resource.kind !== 'frontend') return [];
  const f = resource.value;
  return [
    ...f.maps.map((m) => haproxyAddress('map', m)),
    ...f.backends.map((b) => haproxyAddress('backend', b)),
    ...(f.tls?.mode === 'Terminate' ? f.tls.certificates.map((c) => haproxyAddress('cert', c.cert)) : []),
    ...(f.tls?.mode === 'Terminate' && f.tls.clientValidation
      ? [haproxyAddress('cert', f.tls.clientValidation.cert)]
      : []),
    ...(f.terminator?.tls.certificates.map((c) => haproxyAddress('cert', c.cert)) ?? []),
    ...(f.terminator?.tls.clientValidation
      ? [haproxyAddress('cert', f.terminator.tls.clientValidation.cert)]
      : []),
  ];
}

/** The backend client certificate is one file for every pool that presents it. */
function uniqueByName(certs: CertModel[]): CertModel[] {
  return [...new Map(certs.map((c) => [c.name, c])).values()];
}
