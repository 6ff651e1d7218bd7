import { lbKey } from '#core/ir/lb-key.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import type { IngressClass } from '#core/model/ingress.js';
import type { TranslateContext } from '../context.js';
import { ipFamiliesField, ipFamiliesFromParameters, settingsFromParameters } from '../parameters.js';
import { type ClassParameters, resolveClassParameters } from './class-parameters.js';
import { readGroup } from './group.js';
import { createClassSelector } from './ingress-class.js';
import { compareAge, ingressKey, ingressSource, namespaceOf } from './ingress-object.js';
import { buildIngressLoadBalancer, type IngressUnit } from './load-balancer.js';
import { decideScheme, readScheme } from './scheme.js';
import { pushIngressStatus } from './status.js';

/**
 * Ingress v1 → one load balancer per Ingress, or per `portico.dev/group`. The recipe: pick Portico's
 * Ingresses (class) → sort them onto load balancers (group) → resolve each class's parameters →
 * build listeners, routes and pools. Ingresses of other controllers are not touched, not even reported.
 */
export function translateIngresses(ctx: TranslateContext): LoadBalancer[] {
  const selectClass = createClassSelector(ctx);
  const units = new Map<LbKey, IngressUnit>();
  // Oldest first, so that each group's first member is its oldest, whose class the group takes.
  for (const ingress of [...ctx.bundle.ingresses].sort(compareAge)) {
    const cls = selectClass(ingress);
    if (!cls) continue;
    const source = ingressSource(ingress);
    const group = readGroup(ingress);
    if (!group.ok) {
      ctx.notice({
        severity: 'error',
        code: 'InvalidAnnotation',
        source,
        field: group.field,
        message: group.message,
      });
      pushIngressStatus(ctx, ingress, []);
      continue;
    }
    const key = group.group
      ? lbKey(ctx.options.cluster, 'IngressGroup', undefined, group.group)
      : lbKey(ctx.options.cluster, 'Ingress', namespaceOf(ingress), ingress.metadata.name);
    const scheme = readScheme(ingress);
    if (!scheme.ok) {
      ctx.notice({
        severity: 'error',
        code: 'InvalidAnnotation',
        source,
        field: scheme.field,
        message: scheme.message,
      });
      // A load balancer of its own stays as it is; a group goes on without this member.
      if (!group.group) ctx.held.push({ key, reason: scheme.message });
      pushIngressStatus(ctx, ingress, group.group ? [] : [key]);
      continue;
    }
    const unit = units.get(key);
    if (!unit) {
      units.set(key, {
        key,
        source: group.group ? { kind: 'IngressGroup', name: group.group } : source,
        className: cls.className,
        ingressClass: cls.ingressClass,
        members: [{ ingress, scheme: scheme.scheme }],
      });
    } else if (unit.className !== cls.className) {
      ctx.notice({
        severity: 'error',
        code: 'IngressGroupClassMismatch',
        source,
        message: `group ${group.group} belongs to IngressClass ${unit.className} (the class of its oldest member, Ingress ${ingressKey(unit.members[0]!.ingress)}), not ${cls.className}; this Ingress is left out of the group`,
      });
      pushIngressStatus(ctx, ingress, []);
    } else {
      unit.members.push({ ingress, scheme: scheme.scheme });
    }
  }

  const parametersOf = classParameters(ctx);
  const loadBalancers: LoadBalancer[] = [];
  for (const unit of units.values()) {
    const params = parametersOf(unit.className, unit.ingressClass);
    if (!params.ok) {
      // Like a Gateway whose class is not accepted: what is programmed stays, nothing new is built.
      ctx.held.push({ key: unit.key, reason: `IngressClass ${unit.className}: ${params.message}` });
      for (const { ingress } of unit.members) {
        ctx.notice({
          severity: 'error',
          code: 'InvalidParameters',
          source: ingressSource(ingress),
          message: `IngressClass ${unit.className}: ${params.message}; the Ingress is not programmed, and its load balancer is kept as it is`,
        });
        pushIngressStatus(ctx, ingress, [unit.key]);
      }
      continue;
    }
    const settings = {
      ...settingsFromParameters(ctx, params.parameters),
      ...ipFamiliesField(ipFamiliesFromParameters(params.parameters)),
    };
    const scheme = decideScheme(ctx, unit.members, params.parameters);
    loadBalancers.push(buildIngressLoadBalancer(ctx, unit, { ...settings, scheme }));
    for (const { ingress } of unit.members) pushIngressStatus(ctx, ingress, [unit.key]);
  }
  return loadBalancers;
}

/** Resolved once per class, with one notice on the IngressClass when its parameters are unusable. */
function classParameters(
  ctx: TranslateContext,
): (className: string, ingressClass: IngressClass | undefined) => ClassParameters {
  const cache = new Map<string, ClassParameters>();
  return (className, ingressClass) => {
    let result = cache.get(className);
    if (!result) {
      result = resolveClassParameters(ctx, ingressClass);
      cache.set(className, result);
      if (!result.ok) {
        ctx.notice({
          severity: 'error',
          code: 'InvalidParameters',
          source: { kind: 'IngressClass', name: className },
          field: 'spec.parameters',
          message: `${result.message}; Ingresses of this class are not programmed`,
        });
      }
    }
    return result;
  };
}
