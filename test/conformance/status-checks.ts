// The statusChecks[] kinds of the README, each evaluated once against the target's current status; the
// runner polls an evaluation until it holds or its upstream timeout passes. An evaluation returns undefined
// when the check holds, or what is still wrong.

import { asArray, asRecord, type KubeObject } from './kube-object.js';
import type { ExpectedCondition, ObjectRef, StatusCheck } from './scenario-schema.js';
import type { TimeoutConfig } from './timeouts.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const CONFORMANCE_NAMESPACES = [
  'gateway-conformance-infra',
  'gateway-conformance-app-backend',
  'gateway-conformance-web-backend',
];

export interface CheckContext {
  status(kind: string, namespace: string, name: string): Promise<Record<string, unknown> | undefined>;
  /** metadata.generation of an object as the runner last applied it. */
  generation(kind: string, namespace: string, name: string): number | undefined;
  /**
   * metadata.generation just before the actions that preceded the current phase (at load time when no
   * action has run yet). The name predates that meaning; GenerationChanged compares with it.
   */
  initialGeneration(kind: string, namespace: string, name: string): number | undefined;
  /** The objects currently applied. */
  objects(): readonly KubeObject[];
  controllerName: string;
}

export interface PlannedCheck {
  /** e.g. `HTTPRouteParentStatus HTTPRoute gateway-conformance-infra/exact-matching → Gateway same-namespace`. */
  title: string;
  timeoutMs: number;
  /** Default: the timeouts' pollInterval. */
  pollIntervalMs?: number;
  /** Undefined when the check holds, else what is still wrong. Throws FatalCheckError to fail at once. */
  evaluate(): Promise<string | undefined>;
}

/** A check that can no longer pass (e.g. an ignored Ingress got an address): stop polling. */
export class FatalCheckError extends Error {
  override readonly name = 'FatalCheckError';
}

/** Turns one statusChecks[] entry into something pollable; unknown kinds or shapes are errors. */
export function planStatusCheck(
  check: StatusCheck,
  ctx: CheckContext,
  timeouts: TimeoutConfig,
): PlannedCheck {
  const kind = check.check;
  switch (kind) {
    case 'GatewayHasAddress': {
      const gw = ref(check, 'gateway');
      return {
        title: `${kind} Gateway ${gw.namespace}/${gw.name}`,
        timeoutMs: timeouts.gatewayMustHaveAddress,
        evaluate: async () => {
          const st = await ctx.status('Gateway', gw.namespace, gw.name);
          if (!st) return 'the Gateway has no status';
          const addrs = asArray(st.addresses).map((a) => asRecord(a) ?? {});
          if (addrs.length === 0) return 'status.addresses is empty';
          const ok = addrs.some(
            (a) =>
              typeof a.type === 'string' && a.type !== '' && typeof a.value === 'string' && a.value !== '',
          );
          return ok
            ? undefined
            : `no status.addresses entry has both a type and a value: ${JSON.stringify(addrs)}`;
        },
      };
    }
    case 'HTTPRouteParentStatus': {
      const route = ref(check, 'route');
      const routeKind = routeKindOf(check);
      const p = asRecord(check.parentRef) ?? {};
      const wantGroup = str(p.group) ?? GATEWAY_GROUP;
      const wantKind = str(p.kind) ?? 'Gateway';
      const wantName = str(p.name) ?? fail(check, 'parentRef.name');
      const wantNs = str(p.namespace);
      const nsMayBeOmitted = p.namespaceMayBeOmitted === true;
      const controller = controllerOf(check, ctx);
      const conditions = conditionsOf(check.conditions);
      const latest = check.conditionsObservedGenerationMustBeLatest === true;
      return {
        title: `${kind} ${routeKind} ${route.namespace}/${route.name} → ${wantKind} ${wantNs ?? route.namespace}/${wantName}`,
        timeoutMs: timeouts.routeMustHaveParents,
        evaluate: async () => {
          const st = await ctx.status(routeKind, route.namespace, route.name);
          const parents = asArray(st?.parents).map((x) => asRecord(x) ?? {});
          if (parents.length === 0) return 'status.parents is empty';
          const problems: string[] = [];
          for (const parent of parents) {
            const pr = asRecord(parent.parentRef) ?? {};
            const why = (() => {
              if (parent.controllerName !== controller)
                return `controllerName ${JSON.stringify(parent.controllerName)} != ${JSON.stringify(controller)}`;
              // group and kind have CRD defaults, so an API server would fill them in on write.
              if ((str(pr.group) ?? GATEWAY_GROUP) !== wantGroup)
                return `parentRef.group ${JSON.stringify(pr.group)} != ${wantGroup}`;
              if ((str(pr.kind) ?? 'Gateway') !== wantKind)
                return `parentRef.kind ${JSON.stringify(pr.kind)} != ${wantKind}`;
              if (pr.name !== wantName) return `parentRef.name ${JSON.stringify(pr.name)} != ${wantName}`;
              if (pr.namespace === undefined || pr.namespace === null) {
                if (!nsMayBeOmitted) return `parentRef.namespace is omitted but must be ${wantNs}`;
              } else if (pr.namespace !== wantNs) {
                return `parentRef.namespace ${JSON.stringify(pr.namespace)} != ${wantNs}`;
              }
              return conditionsProblem(
                parent.conditions,
                conditions,
                latest ? ctx.generation(routeKind, route.namespace, route.name) : undefined,
              );
            })();
            if (why === undefined) return undefined;
            problems.push(why);
          }
          return `no status.parents entry matches: ${problems.join('; ')}`;
        },
      };
    }
    case 'GatewayAllListenersConditions': {
      const gw = ref(check, 'gateway');
      const conditions = conditionsOf(check.conditions);
      const latest = check.conditionsObservedGenerationMustBeLatest === true;
      return {
        title: `${kind} Gateway ${gw.namespace}/${gw.name}`,
        timeoutMs: timeouts.gatewayListenersMustHaveConditions,
        evaluate: async () => {
          const st = await ctx.status('Gateway', gw.namespace, gw.name);
          const listeners = asArray(st?.listeners).map((l) => asRecord(l) ?? {});
          if (listeners.length === 0) return 'status.listeners is empty';
          for (const l of listeners) {
            const why = conditionsProblem(
              l.conditions,
              conditions,
              latest ? ctx.generation('Gateway', gw.namespace, gw.name) : undefined,
            );
            if (why) return `listener ${JSON.stringify(l.name)}: ${why}`;
          }
          return undefined;
        },
      };
    }
    case 'HTTPRouteCondition': {
      const route = ref(check, 'route');
      const routeKind = routeKindOf(check);
      const gw = ref(check, 'parent', 'gateway');
      const parentKind = str(asRecord(check.parent)?.kind) ?? 'Gateway';
      const conditions = check.condition ? conditionsOf([check.condition]) : conditionsOf(check.conditions);
      const latest = check.conditionsObservedGenerationMustBeLatest === true;
      return {
        title: `${kind} ${routeKind} ${route.namespace}/${route.name} parent ${gw.namespace}/${gw.name} ${conditions.map(fmtCond).join(', ')}`,
        timeoutMs: timeouts.httpRouteMustHaveCondition,
        evaluate: async () => {
          const st = await ctx.status(routeKind, route.namespace, route.name);
          const parents = asArray(st?.parents).map((x) => asRecord(x) ?? {});
          const mine = parents.filter((x) => {
            const pr = asRecord(x.parentRef) ?? {};
            return (
              pr.name === gw.name &&
              (str(pr.kind) ?? 'Gateway') === parentKind &&
              (pr.namespace === undefined || pr.namespace === null || pr.namespace === gw.namespace)
            );
          });
          if (mine.length === 0)
            return `no status.parents entry for ${parentKind} ${gw.namespace}/${gw.name} (parents: ${JSON.stringify(parents)})`;
          const gen = latest ? ctx.generation(routeKind, route.namespace, route.name) : undefined;
          const problems = mine.map((x) => conditionsProblem(x.conditions, conditions, gen));
          return problems.some((w) => w === undefined) ? undefined : problems.join('; ');
        },
      };
    }
    case 'GatewayStatusListeners': {
      const gw = ref(check, 'gateway');
      return {
        title: `${kind} Gateway ${gw.namespace}/${gw.name}`,
        timeoutMs: timeouts.gatewayStatusMustHaveListeners,
        evaluate: async () =>
          statusListenersProblem(
            (await ctx.status('Gateway', gw.namespace, gw.name))?.listeners,
            check.listeners,
          ),
      };
    }
    case 'HTTPRouteNoAcceptedParents': {
      const route = ref(check, 'route');
      const routeKind = routeKindOf(check);
      let emptySince: number | undefined;
      return {
        title: `${kind} ${routeKind} ${route.namespace}/${route.name}`,
        timeoutMs: timeouts.httpRouteMustNotHaveParents,
        evaluate: async () => {
          const st = await ctx.status(routeKind, route.namespace, route.name);
          const parents = asArray(st?.parents).map((x) => asRecord(x) ?? {});
          if (parents.length === 0) {
            // Empty could mean "not written yet": upstream wants it empty on two polls 1 s apart.
            emptySince ??= Date.now();
            if (Date.now() - emptySince < 1000) return 'status.parents is empty but must stay so for 1s';
            return undefined;
          }
          emptySince = undefined;
          if (parents.length > 1)
            return `expected at most one parent, got ${parents.length}: ${JSON.stringify(parents)}`;
          return conditionsProblem(
            parents[0]?.conditions,
            [{ type: 'Accepted', status: 'False', reason: null }],
            undefined,
          );
        },
      };
    }
    case 'GatewayZeroRoutes': {
      const gw = ref(check, 'gateway');
      return {
        title: `${kind} Gateway ${gw.namespace}/${gw.name}`,
        timeoutMs: timeouts.gatewayStatusMustHaveListeners,
        evaluate: async () => {
          const st = await ctx.status('Gateway', gw.namespace, gw.name);
          const listeners = asArray(st?.listeners).map((l) => asRecord(l) ?? {});
          if (listeners.length === 0) return undefined;
          if (listeners.length === 1 && listeners[0]?.attachedRoutes === 0) return undefined;
          return `want zero listeners or exactly 1 listener with zero routes, got ${JSON.stringify(listeners.map((l) => ({ name: l.name, attachedRoutes: l.attachedRoutes })))}`;
        },
      };
    }
    case 'NamespacesReady': {
      const namespaces = asArray(check.namespaces).filter((n): n is string => typeof n === 'string');
      const nss = namespaces.length > 0 ? namespaces : CONFORMANCE_NAMESPACES;
      return {
        title: `${kind} ${nss.join(', ')}`,
        timeoutMs: timeouts.namespacesMustBeReady,
        evaluate: () => gatewaysReady(ctx, nss),
      };
    }
    case 'GatewayLatestConditions': {
      const gw = ref(check, 'gateway');
      const conditions = conditionsOf(check.conditions ?? []);
      return {
        title: `${kind} Gateway ${gw.namespace}/${gw.name}`,
        timeoutMs: timeouts.latestObservedGenerationSet,
        evaluate: async () => {
          const st = await ctx.status('Gateway', gw.namespace, gw.name);
          const gen = ctx.generation('Gateway', gw.namespace, gw.name);
          const conds = asArray(st?.conditions).map((c) => asRecord(c) ?? {});
          if (conds.length === 0) return 'the Gateway has no conditions';
          const stale = conds.filter((c) => c.observedGeneration !== gen);
          if (stale.length > 0) {
            return `conditions not at generation ${gen}: ${stale.map((c) => `${c.type} observedGeneration=${c.observedGeneration ?? '(none)'}`).join(', ')}`;
          }
          return conditionsProblem(st?.conditions, conditions, gen);
        },
      };
    }
    case 'GenerationChanged': {
      const { kind: objKind, namespace, name } = generationTarget(check);
      return {
        title: `${kind} ${objKind} ${namespace ? `${namespace}/` : ''}${name}`,
        timeoutMs: timeouts.latestObservedGenerationSet,
        evaluate: async () => {
          const before = ctx.initialGeneration(objKind, namespace, name);
          const now = ctx.generation(objKind, namespace, name);
          return now !== undefined && before !== undefined && now !== before
            ? undefined
            : `metadata.generation did not change (was ${before ?? '(none)'}, now ${now ?? '(none)'})`;
        },
      };
    }
    case 'GatewayCondition': {
      const gw = ref(check, 'gateway');
      const conditions = check.condition ? conditionsOf([check.condition]) : conditionsOf(check.conditions);
      const latest = check.conditionsObservedGenerationMustBeLatest === true;
      return {
        title: `${kind} Gateway ${gw.namespace}/${gw.name} ${conditions.map(fmtCond).join(', ')}`,
        timeoutMs: timeouts.gatewayMustHaveCondition,
        evaluate: async () => {
          const st = await ctx.status('Gateway', gw.namespace, gw.name);
          const gen = ctx.generation('Gateway', gw.namespace, gw.name);
          return (
            conditionsProblem(st?.conditions, conditions, latest ? gen : undefined) ??
            staleConditions(st?.conditions, gen)
          );
        },
      };
    }
    case 'GatewayListenerConditions': {
      const gw = ref(check, 'gateway');
      const names =
        typeof check.listener === 'string' ? [check.listener] : asArray(check.listeners).map(String);
      const conditions = conditionsOf(check.conditions);
      return {
        title: `${kind} Gateway ${gw.namespace}/${gw.name} listener ${names.join(', ')}`,
        timeoutMs: timeouts.gatewayListenersMustHaveConditions,
        evaluate: async () =>
          namedListenersProblem(
            (await ctx.status('Gateway', gw.namespace, gw.name))?.listeners,
            names,
            conditions,
          ),
      };
    }
    case 'GatewayClassAccepted': {
      const name = str(asRecord(check.gatewayClass)?.name) ?? fail(check, 'gatewayClass.name');
      const status = typeof check.status === 'string' ? check.status : null;
      return {
        title: `${kind} GatewayClass ${name}${status ? ` Accepted=${status}` : ''}`,
        timeoutMs: timeouts.gwcMustBeAccepted,
        evaluate: async () => {
          const st = await ctx.status('GatewayClass', '', name);
          const stale = staleConditions(st?.conditions, ctx.generation('GatewayClass', '', name));
          if (stale) return stale;
          const accepted = asArray(st?.conditions)
            .map((c) => asRecord(c) ?? {})
            .find((c) => c.type === 'Accepted');
          if (!accepted) return 'no Accepted condition';
          return status === null || accepted.status === status
            ? undefined
            : `Accepted is ${String(accepted.status)}, want ${status}`;
        },
      };
    }
    case 'GatewayClassLatestConditions': {
      const name = str(asRecord(check.gatewayClass)?.name) ?? fail(check, 'gatewayClass.name');
      return {
        title: `${kind} GatewayClass ${name}`,
        timeoutMs: timeouts.latestObservedGenerationSet,
        evaluate: async () =>
          staleConditions(
            (await ctx.status('GatewayClass', '', name))?.conditions,
            ctx.generation('GatewayClass', '', name),
          ),
      };
    }
    case 'HTTPRouteLatestConditions': {
      const route = ref(check, 'route');
      const routeKind = routeKindOf(check);
      return {
        title: `${kind} ${routeKind} ${route.namespace}/${route.name}`,
        timeoutMs: timeouts.latestObservedGenerationSet,
        evaluate: async () => {
          const st = await ctx.status(routeKind, route.namespace, route.name);
          const gen = ctx.generation(routeKind, route.namespace, route.name);
          for (const p of asArray(st?.parents).map((x) => asRecord(x) ?? {})) {
            const why = staleConditions(p.conditions, gen);
            if (why) return `parent ${JSON.stringify(asRecord(p.parentRef)?.name)}: ${why}`;
          }
          return undefined;
        },
      };
    }
    case 'GatewayAttachedListenerSets': {
      const gw = ref(check, 'gateway');
      const count = typeof check.count === 'number' ? check.count : fail(check, 'count');
      return {
        title: `${kind} Gateway ${gw.namespace}/${gw.name} = ${count}`,
        timeoutMs: timeouts.latestObservedGenerationSet,
        evaluate: async () => {
          const st = await ctx.status('Gateway', gw.namespace, gw.name);
          const got = typeof st?.attachedListenerSets === 'number' ? st.attachedListenerSets : 0;
          if (got !== count) return `status.attachedListenerSets is ${got}, want ${count}`;
          return staleConditions(st?.conditions, ctx.generation('Gateway', gw.namespace, gw.name));
        },
      };
    }
    case 'ListenerSetCondition': {
      const ls = ref(check, 'listenerSet');
      const conditions = check.condition ? conditionsOf([check.condition]) : conditionsOf(check.conditions);
      return {
        title: `${kind} ListenerSet ${ls.namespace}/${ls.name} ${conditions.map(fmtCond).join(', ')}`,
        timeoutMs: timeouts.gatewayMustHaveCondition,
        evaluate: async () => {
          const st = await ctx.status('ListenerSet', ls.namespace, ls.name);
          return (
            conditionsProblem(st?.conditions, conditions) ??
            staleConditions(st?.conditions, ctx.generation('ListenerSet', ls.namespace, ls.name))
          );
        },
      };
    }
    case 'ListenerSetListenersConditions': {
      const ls = ref(check, 'listenerSet');
      const names = Array.isArray(check.listeners) ? check.listeners.map(String) : null;
      const conditions = conditionsOf(check.conditions);
      return {
        title: `${kind} ListenerSet ${ls.namespace}/${ls.name}`,
        timeoutMs: timeouts.gatewayListenersMustHaveConditions,
        evaluate: async () => {
          const st = await ctx.status('ListenerSet', ls.namespace, ls.name);
          const stale = staleConditions(st?.conditions, ctx.generation('ListenerSet', ls.namespace, ls.name));
          if (stale) return stale;
          if (names) return namedListenersProblem(st?.listeners, names, conditions);
          for (const l of asArray(st?.listeners).map((x) => asRecord(x) ?? {})) {
            const why = conditionsProblem(l.conditions, conditions);
            if (why) return `listener ${JSON.stringify(l.name)}: ${why}`;
          }
          return undefined;
        },
      };
    }
    case 'ListenerSetStatusListeners': {
      const ls = ref(check, 'listenerSet');
      return {
        title: `${kind} ListenerSet ${ls.namespace}/${ls.name}`,
        timeoutMs: timeouts.gatewayStatusMustHaveListeners,
        evaluate: async () => {
          const st = await ctx.status('ListenerSet', ls.namespace, ls.name);
          return (
            staleConditions(st?.conditions, ctx.generation('ListenerSet', ls.namespace, ls.name)) ??
            statusListenersProblem(st?.listeners, check.listeners)
          );
        },
      };
    }
    case 'PolicyAncestorCondition': {
      const policy = policyRef(check);
      const ancestor = ref(check, 'ancestor');
      const wanted = conditionsOf([check.condition]);
      return {
        title: `${kind} ${policy.kind} ${policy.namespace}/${policy.name} ancestor ${ancestor.namespace}/${ancestor.name} ${wanted.map(fmtCond).join(', ')}`,
        timeoutMs: timeouts.latestObservedGenerationSet,
        evaluate: async () => {
          let st: Record<string, unknown> | undefined;
          try {
            st = await ctx.status(policy.kind, policy.namespace, policy.name);
          } catch (err) {
            throw new FatalCheckError(
              `reading ${policy.kind} ${policy.namespace}/${policy.name} failed: ${String(err)}`,
            );
          }
          const gen = ctx.generation(policy.kind, policy.namespace, policy.name);
          const ancestors = asArray(st?.ancestors).map((a) => asRecord(a) ?? {});
          for (const a of ancestors) {
            if (staleConditions(a.conditions, gen))
              return 'an ancestor entry is not at the latest observedGeneration yet';
            const ar = asRecord(a.ancestorRef) ?? {};
            const nsOk =
              ar.namespace === undefined || ar.namespace === null || ar.namespace === ancestor.namespace;
            if (ar.name === ancestor.name && nsOk && !conditionsProblem(a.conditions, wanted))
              return undefined;
          }
          return `no status.ancestors entry for ${ancestor.namespace}/${ancestor.name} carries ${wanted.map(fmtCond).join(', ')} (ancestors: ${JSON.stringify(ancestors)})`;
        },
      };
    }
    case 'PolicyLatestConditions': {
      const policy = policyRef(check);
      return {
        title: `${kind} ${policy.kind} ${policy.namespace}/${policy.name}`,
        // Read once, no polling (upstream fails at once).
        timeoutMs: check.poll === false ? 0 : timeouts.latestObservedGenerationSet,
        evaluate: async () => {
          const st = await ctx.status(policy.kind, policy.namespace, policy.name);
          const gen = ctx.generation(policy.kind, policy.namespace, policy.name);
          for (const a of asArray(st?.ancestors).map((x) => asRecord(x) ?? {})) {
            const why = staleConditions(a.conditions, gen);
            if (why) return `ancestor ${JSON.stringify(asRecord(a.ancestorRef)?.name)}: ${why}`;
          }
          return undefined;
        },
      };
    }
    case 'IngressHasAddress': {
      const ing = ref(check, 'ingress');
      return {
        title: `${kind} Ingress ${ing.namespace}/${ing.name}`,
        timeoutMs: timeouts.waitForIngressStatus,
        pollIntervalMs: Math.min(5000, timeouts.waitForIngressStatus / 10),
        evaluate: async () =>
          ingressAddress(await ctx.status('Ingress', ing.namespace, ing.name)) === undefined
            ? 'status.loadBalancer.ingress has no entry with an ip or hostname'
            : undefined,
      };
    }
    case 'IngressIgnored': {
      const ing = ref(check, 'ingress');
      const started = Date.now();
      return {
        title: `${kind} Ingress ${ing.namespace}/${ing.name}`,
        timeoutMs: timeouts.waitForIngressStatus,
        pollIntervalMs: Math.min(5000, timeouts.waitForIngressStatus / 10),
        evaluate: async () => {
          const address = ingressAddress(await ctx.status('Ingress', ing.namespace, ing.name));
          if (address !== undefined)
            throw new FatalCheckError(
              `the Ingress got an address (${address}) although no controller of ours owns it`,
            );
          return Date.now() - started >= timeouts.waitForIngressStatus
            ? undefined
            : 'still watching: the Ingress must get no address during the whole wait';
        },
      };
    }
    default:
      throw new Error(`unsupported status check kind ${JSON.stringify(kind)}`);
  }
}

/** Upstream's suite setup: the GatewayClass is Accepted=True. */
export function planGatewayClassAccepted(
  name: string,
  ctx: CheckContext,
  timeouts: TimeoutConfig,
): PlannedCheck {
  return {
    title: `GatewayClass ${name} Accepted=True`,
    timeoutMs: timeouts.gwcMustBeAccepted,
    evaluate: async () =>
      conditionsProblem((await ctx.status('GatewayClass', '', name))?.conditions, [
        { type: 'Accepted', status: 'True', reason: null },
      ]),
  };
}

/** Upstream's NamespacesMustBeReady: every Gateway in these namespaces is Accepted=True and Programmed=True. */
export async function gatewaysReady(
  ctx: CheckContext,
  namespaces: readonly string[],
): Promise<string | undefined> {
  const problems: string[] = [];
  for (const o of ctx.objects()) {
    const ns = o.metadata?.namespace ?? '';
    if (o.kind !== 'Gateway' || !namespaces.includes(ns)) continue;
    if (asRecord(o.metadata?.annotations)?.['gateway-api/skip-this-for-readiness'] === 'true') continue;
    const name = o.metadata?.name ?? '';
    const why = conditionsProblem(
      (await ctx.status('Gateway', ns, name))?.conditions,
      [
        { type: 'Accepted', status: 'True', reason: null },
        { type: 'Programmed', status: 'True', reason: null },
      ],
      o.metadata?.generation,
    );
    if (why) problems.push(`Gateway ${ns}/${name}: ${why}`);
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/**
 * undefined when every wanted condition is present (`reason: null` = any reason) and, when `generation` is
 * given, carries `observedGeneration == generation`.
 */
export function conditionsProblem(
  actual: unknown,
  wanted: readonly ExpectedCondition[],
  generation?: number,
): string | undefined {
  const conds = asArray(actual).map((c) => asRecord(c) ?? {});
  for (const w of wanted) {
    const found = conds.find(
      (c) =>
        c.type === w.type &&
        c.status === w.status &&
        (w.reason === null || w.reason === undefined || c.reason === w.reason),
    );
    if (!found) {
      return `condition ${fmtCond(w)} not found; conditions: [${conds.map((c) => `${c.type}=${c.status}/${c.reason}`).join(', ')}]`;
    }
    if (generation !== undefined && found.observedGeneration !== generation) {
      return `condition ${w.type} has observedGeneration ${found.observedGeneration ?? '(none)'}, want metadata.generation ${generation}`;
    }
  }
  return undefined;
}

function fmtCond(c: ExpectedCondition): string {
  return `${c.type}=${c.status}${c.reason ? ` (reason ${c.reason})` : ''}`;
}

function conditionsOf(value: unknown): ExpectedCondition[] {
  return asArray(value).map((c) => {
    const r = asRecord(c) ?? {};
    return {
      type: String(r.type),
      status: String(r.status),
      reason: typeof r.reason === 'string' ? r.reason : null,
    };
  });
}

function controllerOf(check: StatusCheck, ctx: CheckContext): string {
  const c = check.controllerName;
  // The data holds a placeholder ("<the implementation's controllerName ...>") where upstream reads the class.
  return typeof c === 'string' && !c.startsWith('<') ? c : ctx.controllerName;
}

function ref(check: StatusCheck, ...fields: string[]): ObjectRef {
  for (const f of fields) {
    const r = asRecord(check[f]);
    if (r && typeof r.name === 'string') return { namespace: str(r.namespace) ?? 'default', name: r.name };
  }
  return fail(check, fields.join(' or '));
}

/** The route kind a check inspects: `route.kind` (or the older `routeKind`), default HTTPRoute. */
function routeKindOf(check: StatusCheck): string {
  return str(asRecord(check.route)?.kind) ?? str(check.routeKind) ?? 'HTTPRoute';
}

/** GenerationChanged names a gateway, a gatewayClass, a route or a policy. */
function generationTarget(check: StatusCheck): { kind: string; namespace: string; name: string } {
  const gc = asRecord(check.gatewayClass);
  if (gc && typeof gc.name === 'string') return { kind: 'GatewayClass', namespace: '', name: gc.name };
  if (asRecord(check.policy)) {
    const p = policyRef(check);
    return { kind: p.kind, namespace: p.namespace, name: p.name };
  }
  if (asRecord(check.route)) return { kind: routeKindOf(check), ...ref(check, 'route') };
  if (asRecord(check.object) && typeof check.kind === 'string')
    return { kind: check.kind, ...ref(check, 'object') };
  return { kind: 'Gateway', ...ref(check, 'gateway') };
}

function policyRef(check: StatusCheck): { kind: string; namespace: string; name: string } {
  const p = asRecord(check.policy) ?? {};
  if (typeof p.kind !== 'string' || typeof p.name !== 'string')
    return fail(check, 'policy {kind, namespace, name}');
  return { kind: p.kind, namespace: str(p.namespace) ?? 'default', name: p.name };
}

/** undefined when every condition has observedGeneration == generation (vacuously with none). */
function staleConditions(conditions: unknown, generation: number | undefined): string | undefined {
  const stale = asArray(conditions)
    .map((c) => asRecord(c) ?? {})
    .filter((c) => c.observedGeneration !== generation);
  return stale.length === 0
    ? undefined
    : `conditions not at generation ${generation}: ${stale.map((c) => `${c.type} observedGeneration=${c.observedGeneration ?? '(none)'}`).join(', ')}`;
}

/** Each named listener exists in `listeners` and carries every wanted condition. */
function namedListenersProblem(
  listeners: unknown,
  names: readonly string[],
  wanted: readonly ExpectedCondition[],
): string | undefined {
  const got = asArray(listeners).map((l) => asRecord(l) ?? {});
  for (const name of names) {
    const l = got.find((x) => x.name === name);
    if (!l)
      return `listener ${JSON.stringify(name)} missing from status (got ${got.map((x) => x.name).join(', ') || 'none'})`;
    const why = conditionsProblem(l.conditions, wanted);
    if (why) return `listener ${JSON.stringify(name)}: ${why}`;
  }
  return undefined;
}

/** GatewayStatusListeners over a status.listeners list: exact count, per listener kinds / routes / conditions. */
function statusListenersProblem(listeners: unknown, expected: unknown): string | undefined {
  const want = asArray(expected).map((l) => asRecord(l) ?? {});
  const got = asArray(listeners).map((l) => asRecord(l) ?? {});
  if (got.length !== want.length) return `expected ${want.length} listeners in status, got ${got.length}`;
  for (const [i, w] of want.entries()) {
    const g = typeof w.name === 'string' ? got.find((x) => x.name === w.name) : got[i];
    const label = JSON.stringify(w.name ?? i);
    if (!g) return `listener ${label} missing from status (got ${got.map((x) => x.name).join(', ')})`;
    const wantKinds = asArray(w.supportedKinds).map((k) => asRecord(k) ?? {});
    const gotKinds = asArray(g.supportedKinds).map((k) => asRecord(k) ?? {});
    if ((wantKinds.length === 0 || w.supportedKindsMustBeEmpty === true) && gotKinds.length > 0) {
      return `listener ${label}: expected no supportedKinds, got ${JSON.stringify(gotKinds)}`;
    }
    for (const k of wantKinds) {
      const found = gotKinds.some(
        (x) => x.kind === k.kind && (str(x.group) ?? GATEWAY_GROUP) === (str(k.group) ?? GATEWAY_GROUP),
      );
      if (!found)
        return `listener ${label}: supportedKinds ${JSON.stringify(gotKinds)} lacks ${JSON.stringify(k)}`;
    }
    if (typeof w.attachedRoutes === 'number' && g.attachedRoutes !== w.attachedRoutes) {
      return `listener ${label}: expected attachedRoutes ${w.attachedRoutes}, got ${JSON.stringify(g.attachedRoutes)}`;
    }
    const why = conditionsProblem(g.conditions, conditionsOf(w.conditions), undefined);
    if (why) return `listener ${label}: ${why}`;
  }
  return undefined;
}

/** The first status.loadBalancer.ingress entry's ip, else its hostname. */
export function ingressAddress(status: Record<string, unknown> | undefined): string | undefined {
  for (const e of asArray(asRecord(status?.loadBalancer)?.ingress).map((x) => asRecord(x) ?? {})) {
    if (typeof e.ip === 'string' && e.ip !== '') return e.ip;
    if (typeof e.hostname === 'string' && e.hostname !== '') return e.hostname;
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function fail(check: StatusCheck, field: string): never {
  throw new Error(`status check ${check.check}: missing ${field}`);
}
