import { lbKey } from '#core/ir/lb-key.js';
import type { IpFamily, LoadBalancer, RequestedAddress } from '#core/ir/load-balancer.js';
import type { AnyRoute, Gateway, ListenerSet } from '#core/model/gateway-api.js';
import { objectKey } from '#core/model/meta.js';
import type { RejectedObject } from '#core/model/read-objects.js';
import { condition } from '#core/status/conditions.js';
import type { ObjectStatus, RouteParentStatus, StatusCondition } from '#core/status/types.js';
import { noticeOnce } from '../backend/health-check.js';
import type { PoolUse } from '../backend/service-pool.js';
import { sourceOf, type TranslateContext } from '../context.js';
import { formatIp, parseIp } from '../ip-address.js';
import type { Notice } from '../notice.js';
import {
  ipFamiliesField,
  ipFamiliesFromParameters,
  resolveParameters,
  settingsFromParameters,
} from '../parameters.js';
import type { RankedRoute } from '../precedence.js';
import {
  attachRoute,
  type GatewayState,
  type ListenerSetParent,
  listenerSetParents,
  type ParentAttachment,
} from './attach.js';
import { readBackendClientCertificate } from './backend-client-certificate.js';
import { pushBackendTlsPolicyStatuses } from './backend-tls-status.js';
import { applyFrontendValidation } from './frontend-tls.js';
import { type ClassState, translateGatewayClasses } from './gateway-class.js';
import { translateGrpcRoute } from './grpc-route.js';
import { translateHttpRoute } from './http-route.js';
import { translateL4Route } from './l4-route.js';
import { addRoute, buildLoadBalancer, createLbBuilder, type LbBuilder, listenerId } from './lb-builder.js';
import { isListenerSetAllowed, listenerSetsByGateway, pushListenerSetStatus } from './listener-sets.js';
import type { ListenerState } from './listeners.js';
import { resolveListenerConflicts, translateListeners } from './listeners.js';
import { reportRejectedGatewayApiObjects } from './rejected.js';
import {
  equalOrPrevious,
  keepEqualById,
  type MemoParent,
  type MemoRules,
  type RouteTranslation,
} from './route-memo.js';
import type { RulesResult } from './rules.js';

/**
 * Gateway API → one load balancer per accepted Gateway of a Portico GatewayClass, plus the status of
 * every GatewayClass, Gateway and route involved. The recipe: classes → Gateways and listeners →
 * routes attached to listeners → load balancers.
 */
export function translateGatewayApi(
  ctx: TranslateContext,
  rejected: readonly RejectedObject[],
): LoadBalancer[] {
  const classes = translateGatewayClasses(ctx);
  const gateways = new Map<string, GatewayState>();
  const builders = new Map<string, LbBuilder>();
  const setsByGateway = listenerSetsByGateway(ctx);
  for (const gateway of ctx.bundle.gateways) {
    const cls = classes.get(gateway.spec.gatewayClassName);
    if (!cls) continue;
    const name = `${gateway.metadata.namespace}/${gateway.metadata.name}`;
    const state = translateGateway(ctx, gateway, cls, setsByGateway.get(name) ?? []);
    gateways.set(name, state.gateway);
    if (state.builder) builders.set(state.gateway.key, state.builder);
  }
  reportRejectedGatewayApiObjects(ctx, rejected, classes, gateways);

  const b = ctx.bundle;
  const routes: AnyRoute[] = [
    ...b.httpRoutes,
    ...b.grpcRoutes,
    ...b.tlsRoutes,
    ...b.tcpRoutes,
    ...b.udpRoutes,
  ];
  const setParents = listenerSetParents(gateways);
  const memo = ctx.routeMemo;
  const previous = memo?.gateway?.lb;
  if (memo) {
    memo.begin(ctx.bundle, rejected);
    memo.gateway = undefined;
  }
  for (const route of routes) translateRoute(ctx, route, gateways, setParents, builders);

  const loadBalancers: LoadBalancer[] = [];
  for (const state of gateways.values()) {
    const builder = builders.get(state.key);
    pushGatewayStatus(ctx, state, builder !== undefined);
    // One Gateway of Portico's with a load balancer: what a change of its routes alone starts from.
    if (memo && builder && gateways.size === 1)
      memo.gateway = { ctx, gateways, setParents, builder, gatewayStatus: ctx.statuses.at(-1)! };
    for (const ls of state.listenerSets.values()) pushListenerSetStatus(ctx, state.key, ls);
    if (builder) loadBalancers.push(buildLoadBalancer(ctx, builder, previous));
  }
  pushBackendTlsPolicyStatuses(ctx, builders.values());
  return loadBalancers;
}

interface GatewayTranslation {
  gateway: GatewayState;
  builder?: LbBuilder;
}

function translateGateway(
  ctx: TranslateContext,
  gateway: Gateway,
  cls: ClassState,
  listenerSets: readonly ListenerSet[],
): GatewayTranslation {
  const namespace = gateway.metadata.namespace!;
  const key = lbKey(ctx.options.cluster, 'Gateway', namespace, gateway.metadata.name);
  const generation = gateway.metadata.generation;
  const own = translateListeners(
    ctx,
    { kind: 'Gateway', namespace, name: gateway.metadata.name, generation },
    gateway.spec.listeners,
  );
  const state: GatewayState = { gateway, key, accepted: false, listeners: own, listenerSets: new Map() };
  const refuse = (reason: string, message: string): GatewayTranslation => {
    state.notAccepted = condition('Accepted', false, reason, message, generation);
    ctx.held.push({ key, reason: message });
    refuseListenerSets(
      state,
      listenerSets,
      'ParentNotAccepted',
      `Gateway ${namespace}/${gateway.metadata.name} is not accepted`,
    );
    resolveListenerConflicts(own);
    return { gateway: state };
  };

  if (!cls.accepted)
    return refuse(
      'InvalidParameters',
      `GatewayClass ${cls.gatewayClass.metadata.name} is not accepted: ${cls.message}`,
    );
  const ref = gateway.spec.infrastructure?.parametersRef;
  const ownParameters = resolveParameters(ctx, ref ? { ...ref, namespace } : undefined);
  if (!ownParameters.ok) return refuse('InvalidParameters', ownParameters.message);

  const requestedAddresses: RequestedAddress[] = [];
  for (const a of gateway.spec.addresses ?? []) {
    const type = a.type ?? 'IPAddress';
    if (type !== 'IPAddress')
      return refuse('UnsupportedAddress', `addresses of type ${type} are not supported, only IPAddress`);
    const ip = parseIp(a.value);
    if (!ip) return refuse('UnsupportedAddress', `address ${a.value} is not an IP address`);
    requestedAddresses.push({ type: 'IPAddress', value: formatIp(ip) });
  }
  const settings = settingsFromParameters(ctx, cls.parameters, ownParameters.parameters);
  // Without a choice in the parameters, the families of the addresses asked for decide (IPv4 first).
  const addressFamilies: IpFamily[] = [
    ...new Set(requestedAddresses.map((a) => (a.value.includes(':') ? 'IPv6' : 'IPv4'))),
  ];
  const ipFamilies: IpFamily[] =
    ipFamiliesFromParameters(cls.parameters, ownParameters.parameters) ??
    (addressFamilies.length > 0 ? addressFamilies.sort() : ['IPv4']);
  const foreign = requestedAddresses.find(
    (a) => !ipFamilies.includes(a.value.includes(':') ? 'IPv6' : 'IPv4'),
  );
  if (foreign)
    return refuse(
      'UnsupportedAddress',
      `address ${foreign.value} is not of the families the parameters choose (${ipFamilies.join(', ')})`,
    );
  attachListenerSets(ctx, state, listenerSets);
  if (applyFrontendValidation(ctx, gateway, state.listeners).insecure)
    state.insecureFrontendValidation = true;
  resolveListenerConflicts(state.listeners);
  for (const ls of state.listenerSets.values()) {
    if (!ls.refusal && !ls.listeners.some((l) => l.usable)) {
      ls.accepted = false;
      ls.refusal = { reason: 'ListenersNotValid', message: 'No listener of the ListenerSet is valid' };
    }
  }
  if (!state.listeners.some((l) => l.usable)) {
    state.notAccepted = condition('Accepted', false, 'ListenersNotValid', 'No listener is valid', generation);
    ctx.held.push({ key, reason: 'no listener of the Gateway is valid' });
    return { gateway: state };
  }
  state.accepted = true;
  const client = readBackendClientCertificate(ctx, gateway);
  if (!client.ok) {
    // The Gateway still serves; backends that require a client certificate will refuse it.
    state.unresolved = condition('ResolvedRefs', false, client.reason, client.message, generation);
    ctx.notice({
      severity: 'error',
      code: client.reason,
      source: sourceOf(gateway),
      field: 'spec.tls.backend.clientCertificateRef',
      message: `${client.message}; no client certificate is shown to backends`,
    });
  }
  const backendClientCertificate = client.ok ? client.certificate : undefined;
  return {
    gateway: state,
    builder: createLbBuilder(ctx, state, {
      ...settings,
      ...ipFamiliesField(ipFamilies),
      requestedAddresses,
      ...(backendClientCertificate ? { backendClientCertificate } : {}),
    }),
  };
}

/**
 * Merges the listeners of the ListenerSets the Gateway allows after its own (in precedence order);
 * the others are refused with `NotAllowed`.
 */
function attachListenerSets(
  ctx: TranslateContext,
  state: GatewayState,
  listenerSets: readonly ListenerSet[],
): void {
  const gw = state.gateway;
  for (const ls of listenerSets) {
    const namespace = ls.metadata.namespace!;
    if (!isListenerSetAllowed(ctx, gw, namespace)) {
      state.listenerSets.set(objectKey(ls), {
        listenerSet: ls,
        accepted: false,
        refusal: {
          reason: 'NotAllowed',
          message: `Gateway ${gw.metadata.namespace}/${gw.metadata.name} does not allow ListenerSets from namespace ${namespace}`,
        },
        listeners: [],
      });
      continue;
    }
    const listeners = translateListeners(
      ctx,
      { kind: 'ListenerSet', namespace, name: ls.metadata.name, generation: ls.metadata.generation },
      ls.spec.listeners,
    );
    state.listeners.push(...listeners);
    state.listenerSets.set(objectKey(ls), { listenerSet: ls, accepted: true, listeners });
  }
}

function refuseListenerSets(
  state: GatewayState,
  listenerSets: readonly ListenerSet[],
  reason: string,
  message: string,
): void {
  for (const ls of listenerSets)
    state.listenerSets.set(objectKey(ls), {
      listenerSet: ls,
      accepted: false,
      refusal: { reason, message },
      listeners: [],
    });
}

/**
 * Attaches a route to its Gateways' load balancers (builders) and says its status, from the route
 * memo when it holds the route. `attached` counts an attachment on a listener (its attachedRoutes).
 */
export function translateRoute(
  ctx: TranslateContext,
  route: AnyRoute,
  gateways: ReadonlyMap<string, GatewayState>,
  setParents: ReadonlyMap<string, ListenerSetParent>,
  builders: ReadonlyMap<string, LbBuilder>,
  attached: (listener: ListenerState) => void = countAttached,
): void {
  const memo = ctx.routeMemo;
  const kept = memo?.get(route);
  // Translated anew: what comes out as it was last time is kept as the same objects.
  const before = kept ? undefined : memo?.previous(route);
  const parents = kept
    ? replayParents(kept.parents, gateways)
    : attachRoute(ctx, route, gateways, setParents);
  const translation: RouteTranslation = kept ?? {
    parents: parents.map(memoParent),
    rules: new Map(),
    placed: [],
    placedOn: [],
  };
  if (memo && !kept) memo.set(route, translation);
  if (parents.length === 0) return;
  const generation = route.metadata.generation;
  const source = sourceOf(route);

  // Rules are translated once per way the backends are spoken to (TLSRoutes differ per listener mode).
  const rulesFor = (listener: ListenerState | undefined): RulesResult => {
    const use = poolUse(route, listener);
    let result = translation.rules.get(use);
    if (!result) {
      result = memo
        ? translateRulesAlone(ctx, route, use)
        : { rules: translateRouteRules(ctx, route, use), notices: [] };
      const last = before?.rules.get(use)?.rules;
      keepEqualById(result.rules.pools, last?.pools);
      keepEqualById(result.rules.buckets, last?.buckets);
      translation.rules.set(use, result);
    } else if (kept) for (const n of result.notices) noticeOnce(ctx, n);
    return result.rules;
  };

  /** The rules each parent's status is said from. */
  const parentRules: RulesResult[] = [];
  const keys = new Set<string>();
  let reported: RulesResult | undefined;
  let placed = 0;
  const reuse = before && reusePlacements(before);
  for (const parent of parents) {
    keys.add(parent.gateway.key);
    const builder = builders.get(parent.gateway.key);
    let rules: RulesResult | undefined;
    if (parent.accepted.status === 'True' && builder) {
      for (const attachment of parent.attachments) {
        rules = rulesFor(attachment.listener);
        if (rules.templates.length === 0) continue;
        attached(attachment.listener);
        const on = listenerId(attachment.listener.protocol!, attachment.listener.spec.port);
        translation.placed[placed] ??= [];
        translation.placedOn[placed] = on;
        addRoute(
          builder,
          route,
          attachment,
          rules,
          translation.placed[placed++]!,
          reuse && ((r) => reuse(on, r)),
        );
      }
    }
    // Parents that refuse the route still get a truthful ResolvedRefs.
    rules ??= rulesFor(parent.attachments[0]?.listener ?? parent.gateway.listeners[0]);
    reported ??= rules;
    parentRules.push(rules);
  }
  if (reported) reportRuleProblems(ctx, source, reported);
  translation.status ??= equalOrPrevious<ObjectStatus>(
    {
      kind: route.kind,
      namespace: route.metadata.namespace!,
      name: route.metadata.name,
      ...(generation !== undefined ? { generation } : {}),
      loadBalancers: [...keys].sort(),
      status: { parents: parentRules.map((p, i) => parentStatus(ctx, parents[i]!, p, generation)) },
    },
    before?.status,
  );
  ctx.statuses.push(translation.status);
}

/**
 * What makes a route's IR routes on an IR listener (by id) the same objects as those of its earlier
 * translation there, where equal: each of those once, whichever attachment placed it.
 */
function reusePlacements(before: RouteTranslation): (on: string, made: RankedRoute) => RankedRoute {
  const earlier = new Map<string, RankedRoute>();
  before.placed.forEach((list, i) => {
    for (const r of list) {
      // (The first on a listener is the one placed: a later one of the same id is left out.)
      const key = `${before.placedOn[i]}\u0000${r.route.id}`;
      if (!earlier.has(key)) earlier.set(key, r);
    }
  });
  return (on, made) => {
    const key = `${on}\u0000${made.route.id}`;
    const was = earlier.get(key);
    if (!was || equalOrPrevious(made.route, was.route) !== was.route) return made;
    earlier.delete(key);
    // The IR route is kept even where its precedence facts moved (the route's age, say).
    const same =
      made.createdAt === was.createdAt &&
      made.objectKey === was.objectKey &&
      made.rule === was.rule &&
      made.match === was.match &&
      made.fallback === was.fallback;
    return same ? was : { ...made, route: was.route };
  };
}

function countAttached(listener: ListenerState): void {
  listener.status.attachedRoutes++;
}

/**
 * A route's rules translated for the memo: in a context of their own, so that what they say (health
 * checks say each thing once per context) is all recorded, whichever route asked first.
 */
function translateRulesAlone(ctx: TranslateContext, route: AnyRoute, use: PoolUse): MemoRules {
  const notices: Notice[] = [];
  const own: TranslateContext = { ...ctx, notices, notice: (n) => notices.push(n) };
  const rules = translateRouteRules(own, route, use);
  for (const n of notices) noticeOnce(ctx, n);
  return { rules, notices };
}

/** attachRoute's answer, kept by Gateway name and listener position. */
function memoParent(p: ParentAttachment): MemoParent {
  const g = p.gateway.gateway.metadata;
  return {
    parentRef: p.parentRef,
    gateway: `${g.namespace}/${g.name}`,
    attachments: p.attachments.map((a) => ({
      listener: p.gateway.listeners.indexOf(a.listener),
      hostnames: a.hostnames,
    })),
    accepted: p.accepted,
  };
}

/** The kept answer on this translation's Gateways (the same objects, so the same Gateways and listeners). */
function replayParents(
  parents: readonly MemoParent[],
  gateways: ReadonlyMap<string, GatewayState>,
): ParentAttachment[] {
  return parents.map((p) => {
    const gateway = gateways.get(p.gateway)!;
    return {
      parentRef: p.parentRef,
      gateway,
      attachments: p.attachments.map((a) => ({
        listener: gateway.listeners[a.listener]!,
        hostnames: a.hostnames,
      })),
      accepted: p.accepted,
    };
  });
}

function translateRouteRules(ctx: TranslateContext, route: AnyRoute, use: PoolUse): RulesResult {
  switch (route.kind) {
    case 'HTTPRoute':
      return translateHttpRoute(ctx, route);
    case 'GRPCRoute':
      return translateGrpcRoute(ctx, route);
    default:
      return translateL4Route(ctx, route, use);
  }
}

export function poolUse(route: AnyRoute, listener: ListenerState | undefined): PoolUse {
  switch (route.kind) {
    case 'HTTPRoute':
      return 'HTTP';
    case 'GRPCRoute':
      return 'GRPC';
    case 'UDPRoute':
      return 'UDP';
    case 'TLSRoute':
      return listener?.tls?.mode === 'Passthrough' ? 'TLS' : 'TCP';
    case 'TCPRoute':
      return 'TCP';
  }
}

function parentStatus(
  ctx: TranslateContext,
  parent: ParentAttachment,
  rules: RulesResult | undefined,
  generation: number | undefined,
): RouteParentStatus {
  const conditions: StatusCondition[] = [];
  if (rules && parent.accepted.status === 'True' && rules.templates.length === 0) {
    conditions.push(
      condition('Accepted', false, 'UnsupportedValue', 'No rule of the route is valid', generation),
    );
  } else {
    conditions.push(parent.accepted);
  }
  const refProblem = rules?.refProblems[0] ?? rules?.failedRules.find((f) => f.reason === 'InvalidKind');
  conditions.push(
    refProblem
      ? condition('ResolvedRefs', false, refProblem.reason, refProblem.message, generation)
      : condition('ResolvedRefs', true, 'ResolvedRefs', 'All references resolved', generation),
  );
  const partial = [
    ...(rules?.droppedRules ?? []),
    ...(rules?.failedRules.filter((f) => f.reason === 'UnsupportedValue') ?? []),
  ];
  if (rules && rules.templates.length > 0 && partial.length > 0) {
    const message = partial.map((p) => `${p.field}: ${p.message}`).join('; ');
    conditions.push(
      condition(
        'PartiallyInvalid',
        true,
        'UnsupportedValue',
        `Rules left out or failing: ${message}`,
        generation,
      ),
    );
  }
  return { parentRef: parent.parentRef, controllerName: ctx.options.controllerName, conditions };
}

function reportRuleProblems(
  ctx: TranslateContext,
  source: ReturnType<typeof sourceOf>,
  rules: RulesResult,
): void {
  for (const d of rules.droppedRules) {
    ctx.notice({
      severity: 'error',
      code: 'InvalidRule',
      source: { ...source, rule: d.rule },
      field: d.field,
      message: `${d.message}; the rule is left out`,
    });
  }
  for (const f of rules.failedRules) {
    ctx.notice({
      severity: 'error',
      code: 'UnsupportedFilter',
      source: { ...source, rule: f.rule },
      field: f.field,
      message: `${f.message}; requests matching the rule get 500`,
    });
  }
}

export function pushGatewayStatus(ctx: TranslateContext, state: GatewayState, accepted: boolean): void {
  const g = state.gateway;
  const generation = g.metadata.generation;
  const own = state.listeners.filter((l) => l.owner.kind === 'Gateway');
  const invalid = own.filter((l) => !l.usable).length;
  const acceptedCondition: StatusCondition =
    state.notAccepted ??
    (invalid > 0
      ? condition('Accepted', true, 'ListenersNotValid', `${invalid} listener(s) are not valid`, generation)
      : condition('Accepted', true, 'Accepted', 'The Gateway is accepted', generation));
  const programmed = accepted
    ? condition(
        'Programmed',
        false,
        'Pending',
        'Waiting for the provider to program the load balancer',
        generation,
      )
    : condition('Programmed', false, 'Invalid', 'The Gateway is not accepted', generation);
  ctx.statuses.push({
    kind: 'Gateway',
    namespace: g.metadata.namespace!,
    name: g.metadata.name,
    ...(generation !== undefined ? { generation } : {}),
    loadBalancers: [state.key],
    status: {
      conditions: [
        acceptedCondition,
        programmed,
        ...(state.unresolved ? [state.unresolved] : []),
        ...(state.insecureFrontendValidation
          ? [
              condition(
                'InsecureFrontendValidationMode',
                true,
                'ConfigurationChanged',
                'Some HTTPS listener admits clients without a valid certificate (AllowInsecureFallback)',
                generation,
              ),
            ]
          : []),
      ],
      listeners: own.map((l) => l.status),
      ...(allowsListenerSets(g)
        ? { attachedListenerSets: [...state.listenerSets.values()].filter((ls) => ls.accepted).length }
        : {}),
    },
  });
}

function allowsListenerSets(g: Gateway): boolean {
  return (g.spec.allowedListeners?.namespaces?.from ?? 'None') !== 'None';
}
