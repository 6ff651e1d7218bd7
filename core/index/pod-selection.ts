import { isRecord } from './object-ref.js';

/**
 * Whether a raw Service selects a raw Pod (of its namespace: the caller lists that namespace only).
 * A Pod declares no edge: which Services select it depends on their selectors, so the index asks
 * this of the Services of the Pod's namespace (affectedKeys) and of the Pods of a Service's namespace
 * (selectBundle). Read defensively; a Service without a selector, or an empty one, selects nothing.
 */
export function serviceSelectsPod(service: unknown, pod: unknown): boolean {
  if (!isRecord(service) || !isRecord(service.spec) || !isRecord(service.spec.selector)) return false;
  const selector = Object.entries(service.spec.selector);
  if (selector.length === 0) return false;
  const meta = isRecord(pod) && isRecord(pod.metadata) ? pod.metadata : {};
  const labels = isRecord(meta.labels) ? meta.labels : {};
  return selector.every(([k, v]) => typeof v === 'string' && Object.hasOwn(labels, k) && labels[k] === v);
}
