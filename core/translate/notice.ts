import type { SourceRef } from '#core/ir/load-balancer.js';

/**
 * Something the translator could not express, or chose to drop, and why. Notices never replace a
 * status condition on an object that has conditions; they add detail, and they are the only channel
 * for objects without conditions (Ingress, Service).
 */
export interface Notice {
  severity: 'error' | 'warning' | 'info';
  /** Stable, machine-readable: `InvalidObject`, `BackendNotFound`, `IngressConflict`... */
  code: string;
  source: SourceRef;
  /** Dotted path to the offending field, e.g. `spec.rules[0].matches[1].path.value`. */
  field?: string;
  message: string;
}
