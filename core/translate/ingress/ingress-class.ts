import { compareStrings } from '#core/ir/sort.js';
import type { Ingress, IngressClass } from '#core/model/ingress.js';
import type { TranslateContext } from '../context.js';
import { annotationField, INGRESS_ANNOTATIONS } from './annotations.js';

/** How an Ingress came to be Portico's. */
export interface ClassChoice {
  /**
   * Identifies the class for grouping: the IngressClass name, or the legacy annotation's value (so
   * `kubernetes.io/ingress.class: portico` and `ingressClassName: portico` are the same class).
   */
  className: string;
  /** The IngressClass that supplies parameters; absent for a legacy annotation naming no class of ours. */
  ingressClass: IngressClass | undefined;
  via: 'annotation' | 'ingressClassName' | 'default';
}

export type ClassSelector = (ingress: Ingress) => ClassChoice | undefined;

/**
 * Decides, per Ingress, whether it is Portico's (undefined = someone else's: leave it alone). In order:
 * the legacy annotation (any value not listed in the options means another controller), then
 * `spec.ingressClassName`, then the cluster's default IngressClass.
 */
export function createClassSelector(ctx: TranslateContext): ClassSelector {
  const { ingressController, ingressClassAnnotationValues } = ctx.options;
  const byName = new Map(ctx.bundle.ingressClasses.map((c) => [c.metadata.name, c]));
  const isOurs = (c: IngressClass | undefined): c is IngressClass => c?.spec.controller === ingressController;
  let defaultClass: IngressClass | null | undefined;

  return (ingress) => {
    const legacy = ingress.metadata.annotations?.[INGRESS_ANNOTATIONS.legacyClass]?.trim();
    if (legacy) {
      if (!ingressClassAnnotationValues.includes(legacy)) return undefined;
      const named = byName.get(legacy);
      return { className: legacy, ingressClass: isOurs(named) ? named : undefined, via: 'annotation' };
    }
    const name = ingress.spec.ingressClassName;
    if (name !== undefined) {
      const named = byName.get(name);
      return isOurs(named) ? { className: name, ingressClass: named, via: 'ingressClassName' } : undefined;
    }
    // Computed on first use, so that the notice about several defaults appears only when one matters.
    if (defaultClass === undefined) defaultClass = pickDefaultClass(ctx, isOurs) ?? null;
    return isOurs(defaultClass ?? undefined)
      ? { className: defaultClass!.metadata.name, ingressClass: defaultClass!, via: 'default' }
      : undefined;
  };
}

/**
 * Like the DefaultIngressClass admission plugin: of several default classes, the most recently created
 * (an absent creationTimestamp is Go's zero time there, so the oldest), then the first name.
 */
function pickDefaultClass(
  ctx: TranslateContext,
  isOurs: (c: IngressClass | undefined) => boolean,
): IngressClass | undefined {
  const defaults = ctx.bundle.ingressClasses
    .filter((c) => c.metadata.annotations?.[INGRESS_ANNOTATIONS.defaultClass] === 'true')
    .sort(newestFirst);
  const [chosen] = defaults;
  if (chosen && defaults.length > 1 && defaults.some(isOurs)) {
    ctx.notice({
      severity: 'warning',
      code: 'MultipleDefaultIngressClasses',
      source: { kind: 'IngressClass', name: chosen.metadata.name },
      field: annotationField(INGRESS_ANNOTATIONS.defaultClass),
      message: `${defaults.length} IngressClasses are marked as default (${defaults.map((c) => c.metadata.name).join(', ')}); Ingresses without a class use the most recently created one, ${chosen.metadata.name}`,
    });
  }
  return chosen;
}

function newestFirst(a: IngressClass, b: IngressClass): number {
  const ca = a.metadata.creationTimestamp;
  const cb = b.metadata.creationTimestamp;
  if (ca !== cb) {
    if (ca === undefined) return 1;
    if (cb === undefined) return -1;
    const byTime = compareStrings(cb, ca);
    if (byTime !== 0) return byTime;
  }
  return compareStrings(a.metadata.name, b.metadata.name);
}
