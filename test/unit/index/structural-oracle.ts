// A structural oracle for the index: for every load-balancer key, the objects its translation reads,
// computed the naive way (full scans of the whole cluster, no index) from the rules the translators
// follow. It was written while the Ingress and Service translators were stubs; they have landed since,
// and property.test.ts runs every property against BOTH this oracle and the real translate(). The
// oracle is kept as a second, independent statement of the dependencies: it is sensitive to changes
// the real translators happen to absorb (e.g. a HealthCheckPolicy field they do not read yet), so it
// catches index gaps before a translator starts reading that field.
//
// TODO(index): if the oracle and the real translators disagree on what a key depends on (the oracle
// failing while the real-translate properties pass), align the oracle with the translator: the real
// translate() is the reference.

import { lbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { SERVICE_NAME_LABEL } from '#core/model/endpoint-slice.js';
import { readObjects } from '#core/model/index.js';
import { matchesLabelSelector } from '#core/translate/label-selector.js';
import { DEFAULT_OPTIONS, type TranslateOptions } from '#core/translate/options.js';

type LooseRef = {
  name: string;
  namespace?: string | undefined;
  kind?: string | undefined;
  group?: string | undefined;
};
type LooseFilter = { requestMirror?: { backendRef: LooseRef } | undefined };
type LooseRule = {
  filters?: LooseFilter[] | undefined;
  backendRefs?: (LooseRef & { filters?: LooseFilter[] | undefined })[] | undefined;
};
type Meta = { metadata: { namespace?: string | undefined; name: string } };

const id = (o: Meta) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const byId = (a: Meta, b: Meta) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0);

/** Key → a JSON-able summary of everything that key's translation depends on. */
export function oracleTranslate(
  objects: readonly unknown[],
  options: TranslateOptions = DEFAULT_OPTIONS,
): Map<LbKey, unknown> {
  const { bundle: b } = readObjects(structuredClone(objects as unknown[]));
  const out = new Map<LbKey, unknown>();
  const find = <T extends Meta>(list: readonly T[], ns: string | undefined, name: string): T | null =>
    list.find((o) => o.metadata.namespace === ns && o.metadata.name === name) ?? null;

  const granted = (fromKind: string, fromNs: string, toKind: string, toNs: string, toName: string) =>
    fromNs === toNs ||
    b.referenceGrants.some(
      (g) =>
        g.metadata.namespace === toNs &&
        g.spec.from.some((f) => f.kind === fromKind && f.namespace === fromNs) &&
        g.spec.to.some((t) => t.kind === toKind && (t.name === undefined || t.name === toName)),
    );

  const serviceClosure = (ns: string, name: string) => ({
    service: find(b.services, ns, name),
    slices: b.endpointSlices
      .filter((s) => s.metadata.namespace === ns && s.metadata.labels?.[SERVICE_NAME_LABEL] === name)
      .sort(byId),
    policies: b.healthCheckPolicies
      .filter((p) => p.metadata.namespace === ns && p.spec.targetRefs.some((t) => t.name === name))
      .sort(byId),
  });

  const params = (ref: { kind?: string; name: string; namespace?: string | undefined } | undefined) =>
    ref?.namespace ? find(b.parameters, ref.namespace, ref.name) : null;

  // ---- Gateways: one LB per Gateway of a Portico class.
  const routes = [...b.httpRoutes, ...b.grpcRoutes, ...b.tlsRoutes, ...b.tcpRoutes, ...b.udpRoutes];
  for (const g of b.gateways) {
    const gc = b.gatewayClasses.find((c) => c.metadata.name === g.spec.gatewayClassName);
    if (!gc || gc.spec.controllerName !== options.controllerName) continue;
    const gns = g.metadata.namespace!;
    const nsLabels = (ns: string) => find(b.namespaces, undefined, ns)?.metadata.labels ?? {};
    const admits = (routeNs: string) =>
      g.spec.listeners.some((l) => {
        const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
        if (from === 'All') return true;
        if (from === 'Same') return routeNs === gns;
        const sel = l.allowedRoutes?.namespaces?.selector;
        return sel !== undefined && matchesLabelSelector(sel, nsLabels(routeNs));
      });
    const attached = routes
      .filter((r) => {
        const rns = r.metadata.namespace!;
        const names = (r.spec.parentRefs ?? []).some(
          (p) =>
            (p.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io' &&
            (p.kind ?? 'Gateway') === 'Gateway' &&
            (p.namespace ?? rns) === gns &&
            p.name === g.metadata.name,
        );
        return names && admits(rns);
      })
      .sort((x, y) => byId(x, y) || (x.kind < y.kind ? -1 : 1))
      .map((r) => {
        const rns = r.metadata.namespace!;
        const refs: LooseRef[] = [];
        for (const rule of (r.spec.rules ?? []) as LooseRule[]) {
          for (const f of rule.filters ?? []) if (f.requestMirror) refs.push(f.requestMirror.backendRef);
          for (const br of rule.backendRefs ?? []) {
            refs.push(br);
            for (const f of br.filters ?? []) if (f.requestMirror) refs.push(f.requestMirror.backendRef);
          }
        }
        return {
          route: r,
          backends: refs.map((ref) => {
            const ns = ref.namespace ?? rns;
            if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') return 'not-a-service';
            return granted(r.kind, rns, 'Service', ns, ref.name) ? serviceClosure(ns, ref.name) : 'denied';
          }),
        };
      });
    const certs = g.spec.listeners.map((l) =>
      (l.tls?.certificateRefs ?? []).map((c) => {
        const ns = c.namespace ?? gns;
        return granted('Gateway', gns, 'Secret', ns, c.name) ? find(b.secrets, ns, c.name) : 'denied';
      }),
    );
    const infra = g.spec.infrastructure?.parametersRef;
    out.set(lbKey(options.cluster, 'Gateway', gns, g.metadata.name), {
      gateway: g,
      gatewayClass: gc,
      classParameters: params(gc.spec.parametersRef),
      infraParameters: infra ? find(b.parameters, gns, infra.name) : null,
      certs,
      routes: attached,
    });
  }

  // ---- Ingresses: class from the annotation, else spec.ingressClassName, else the default class(es).
  const defaults = b.ingressClasses
    .filter((c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true')
    .sort(byId);
  const members = new Map<LbKey, unknown[]>();
  for (const i of b.ingresses) {
    const ns = i.metadata.namespace!;
    const annotated = i.metadata.annotations?.['kubernetes.io/ingress.class'];
    const named = i.spec.ingressClassName;
    const classes =
      named !== undefined ? b.ingressClasses.filter((c) => c.metadata.name === named) : defaults;
    const ours =
      annotated !== undefined
        ? options.ingressClassAnnotationValues.includes(annotated)
        : classes.some((c) => c.spec.controller === options.ingressController);
    if (!ours) continue;
    const group = i.metadata.annotations?.['portico.dev/group'];
    const key =
      group !== undefined && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(group)
        ? lbKey(options.cluster, 'IngressGroup', undefined, group)
        : lbKey(options.cluster, 'Ingress', ns, i.metadata.name);
    const backends = [
      i.spec.defaultBackend,
      ...(i.spec.rules ?? []).flatMap((r) => r.http?.paths.map((p) => p.backend) ?? []),
    ]
      .filter((x) => x?.service !== undefined)
      .map((x) => serviceClosure(ns, x!.service!.name));
    const member = {
      ingress: i,
      classes: classes.map((c) => ({ c, parameters: params(c.spec.parameters) })),
      annotatedClass: annotated !== undefined ? find(b.ingressClasses, undefined, annotated) : null,
      secrets: (i.spec.tls ?? []).map((t) => (t.secretName ? find(b.secrets, ns, t.secretName) : null)),
      backends,
    };
    members.set(key, [...(members.get(key) ?? []), member]);
  }
  for (const [key, list] of members) out.set(key, list);

  // ---- Services of type LoadBalancer with a Portico class (or none, with a default provider).
  for (const s of b.services) {
    if (s.spec.type !== 'LoadBalancer') continue;
    const cls = s.spec.loadBalancerClass;
    const ours = cls
      ? cls.startsWith(options.loadBalancerClassPrefix)
      : options.defaultServiceProvider !== undefined;
    if (!ours) continue;
    const ns = s.metadata.namespace!;
    const p = s.metadata.annotations?.['portico.dev/parameters'];
    out.set(lbKey(options.cluster, 'Service', ns, s.metadata.name), {
      ...serviceClosure(ns, s.metadata.name),
      parameters: p ? find(b.parameters, ns, p) : null,
    });
  }
  return out;
}
