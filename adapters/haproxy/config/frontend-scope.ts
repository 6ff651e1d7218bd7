// What a frontend renderer needs from the load balancer being rendered.

import type * as ir from '#core/ir/load-balancer.js';
import type { BackendRetry, FrontendTls } from '../model.js';
import type { FieldError } from './field-error.js';
import type { HttpRouteMemo } from './http-frontend.js';

export interface FrontendScope {
  lbKey: string;
  lb: string;
  address: string;
  /** The IPv6 bind address of a dual-stack load balancer. */
  address6?: string;
  sourceRanges: string[];
  /**
   * Backend name for a pool in `mode` (with a route's retry policy: config/retry.ts); undefined when
   * the pool is unresolved or was rejected.
   */
  backend(pool: string | null, mode: 'http' | 'tcp', retry?: BackendRetry): string | undefined;
  /** The route is programmed without something it asked for; the scope records a warning. */
  warnRoute(listener: ir.Listener, route: ir.Route, feature: string, message: string): void;
  /** The route is left out; the scope records a notice naming the field. */
  rejectRoute(listener: ir.Listener, route: ir.Route, err: FieldError): void;
  tls?: FrontendTls;
  /** Compiled routes kept between renders (route-memo.ts); absent = compile every route. */
  routeMemo?: HttpRouteMemo;
}
