// What a frontend renderer needs from the load balancer being rendered.

import type * as ir from '#core/ir/load-balancer.js';
import type { FrontendTls } from '../model.js';
import type { FieldError } from './field-error.js';

export interface FrontendScope {
  lbKey: string;
  lb: string;
  address: string;
  sourceRanges: string[];
  /** Backend name for a pool in `mode`; undefined when the pool is unresolved or was rejected. */
  backend(pool: string | null, mode: 'http' | 'tcp'): string | undefined;
  /** The route is left out; the scope records a notice naming the field. */
  rejectRoute(listener: ir.Listener, route: ir.Route, err: FieldError): void;
  tls?: FrontendTls;
}
