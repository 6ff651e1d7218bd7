// A route change that brings a Service into a Gateway key's bundle (no other route of the key used
// it) or takes one out of it, applied to the key's last translation context (KeptGateway.ctx) so
// that the route change still takes the way of route-changes.ts instead of a translation of the
// bundle: the Service, its EndpointSlices and HealthCheckPolicies are put into (or taken out of) the
// context's lookups, as selectBundle and createContext would have them, and the route memo is told
// (its inputs, and the version of that backend). Only where nothing else comes or goes with them: a
// Service that selects Pods (readiness probes, shared with other Services), BackendTLSPolicies (their
// CA bundles and statuses), multi-cluster slices, objects that fail their schema are left to a
// translation of the bundle. Pure: reads the DependencyView, edits only the kept context and memo.

import { type DependencyView, hasEdge } from '#core/index/dependency-view.js';
import { type ObjectRef, ref, refId } from '#core/index/object-ref.js';
import { serviceSelectsPod } from '#core/index/pod-selection.js';
import type { EndpointSlice } from '#core/model/endpoint-slice.js';
import type { HealthCheckPolicy } from '#core/model/health-check-policy.js';
import type { ReadCache } from '#core/model/read-cache.js';
import { readObjects } from '#core/model/read-objects.js';
import type { Service } from '#core/model/service.js';
import { MCS_SERVICE_NAME_LABEL } from '#core/model/service-import.js';
import type { TranslateContext } from '../context.js';
import type { KeptGateway, RouteTranslationMemo } from './route-memo.js';

/** The Service a `broughtBy` entry names with its dependents (`Service/<ns>/<name>+`), if it is one. */
export function broughtService(brought: string): ObjectRef | undefined {
  const m = /^Service\/([^/]+)\/([^/]+)\+$/.exec(brought);
  return m ? ref('Service', m[1]!, m[2]!) : undefined;
}

/** The context's lookups that hold a Service's objects (createContext makes them as Maps). */
interface Lookups {
  services: Map<string, Service>;
  endpointSlices: Map<string, EndpointSlice[]>;
  healthCheckPolicies: Map<string, HealthCheckPolicy[]>;
}

function lookups(ctx: TranslateContext): Lookups {
  return ctx as unknown as Lookups;
}

/**
 * The moves of these Services into and out of the kept context, checked: `enter` before the added
 * routes are translated, `leave` once the change is applied. Undefined when one cannot be made so.
 */
export function serviceMoves(
  kept: KeptGateway,
  memo: RouteTranslationMemo,
  view: DependencyView,
  cache: ReadCache,
  entering: readonly ObjectRef[],
  leaving: readonly ObjectRef[],
  /** Whether routes of the key use the ServiceImport of this namespace/name (it reads the same policies). */
  importUsed: (namespace: string, name: string) => boolean,
): { enter(): void; leave(): void } | undefined {
  const ctx = kept.ctx;
  if (ctx.bundle.backendTlsPolicies.length > 0) return undefined;
  const selectsPods = (ns: string, service: unknown) =>
    (ctx.pods.get(ns) ?? []).some((p) => serviceSelectsPod(service, p));
  const enters: { key: string; service: ObjectRef; objects: Entering }[] = [];
  for (const s of entering) {
    const objects = read(view, cache, s, selectsPods);
    if (!objects) return undefined;
    if (objects.policies.length > 0 && importUsed(s.namespace!, s.name)) return undefined;
    enters.push({ key: `${s.namespace}/${s.name}`, service: s, objects });
  }
  const l = lookups(ctx);
  for (const s of leaving) {
    const key = `${s.namespace}/${s.name}`;
    if (selectsPods(s.namespace!, l.services.get(key))) return undefined;
    if ((l.healthCheckPolicies.get(key) ?? []).length > 0 && importUsed(s.namespace!, s.name))
      return undefined;
  }
  return {
    enter() {
      for (const { key, service, objects } of enters) {
        setOrDelete(l.services, key, objects.service);
        setOrDelete(l.endpointSlices, key, objects.slices.length > 0 ? objects.slices : undefined);
        setOrDelete(l.healthCheckPolicies, key, objects.policies.length > 0 ? objects.policies : undefined);
        memo.moveInputs(
          [
            ...(objects.service ? [[objects.service, 'services'] as const] : []),
            ...objects.slices.map((o) => [o, 'endpointSlices'] as const),
            ...objects.policies.map((o) => [o, 'healthCheckPolicies'] as const),
          ],
          [],
          backendsOf(service),
        );
      }
    },
    leave() {
      for (const s of leaving) {
        const key = `${s.namespace}/${s.name}`;
        const service = l.services.get(key);
        const slices = l.endpointSlices.get(key) ?? [];
        // A policy that also targets a Service still in the bundle stays in it.
        const policies = (l.healthCheckPolicies.get(key) ?? []).filter(
          (p) =>
            !p.spec.targetRefs.some((t) => t.name !== s.name && l.services.has(`${s.namespace}/${t.name}`)),
        );
        l.services.delete(key);
        l.endpointSlices.delete(key);
        l.healthCheckPolicies.delete(key);
        memo.moveInputs([], [...(service ? [service] : []), ...slices, ...policies], backendsOf(s));
      }
    },
  };
}

interface Entering {
  service: Service | undefined;
  slices: EndpointSlice[];
  policies: HealthCheckPolicy[];
}

/** A Service's objects as selectBundle brings them (validated), or undefined where it cannot be moved alone. */
function read(
  view: DependencyView,
  cache: ReadCache,
  s: ObjectRef,
  selectsPods: (ns: string, service: unknown) => boolean,
): Entering | undefined {
  const raw = view.get(s);
  const dependents: unknown[] = [];
  for (const x of view.referrers(s)) {
    if (!hasEdge(x, 'endpointSliceOf', 'policyTarget')) continue;
    if (x.from.kind !== 'EndpointSlice' && x.from.kind !== 'HealthCheckPolicy') return undefined;
    dependents.push(view.get(x.from));
  }
  if (raw !== undefined) {
    if (selectsPods(s.namespace!, raw)) return undefined;
    for (const p of view.list('Pod', s.namespace)) if (serviceSelectsPod(raw, view.get(p))) return undefined;
  }
  const { bundle, rejected } = readObjects(raw === undefined ? dependents : [raw, ...dependents], cache);
  if (rejected.length > 0) return undefined;
  if (bundle.endpointSlices.some((e) => e.metadata.labels?.[MCS_SERVICE_NAME_LABEL] !== undefined))
    return undefined;
  // (Referrers come sorted by refId, as a bundle's objects.)
  return { service: bundle.services[0], slices: bundle.endpointSlices, policies: bundle.healthCheckPolicies };
}

/** The memo's backends whose routes read a Service's objects (no route of the key uses the import of its name). */
function backendsOf(s: ObjectRef): string[] {
  return [refId(s)];
}

function setOrDelete<V>(map: Map<string, V>, key: string, value: V | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}
