import type { AdapterNotice } from '../../types.js';

/** A route (or one of its values) ALB cannot express: the route is left out whole, with a notice. */
export class RouteError extends Error {
  constructor(
    readonly code: AdapterNotice['code'],
    readonly feature: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}
