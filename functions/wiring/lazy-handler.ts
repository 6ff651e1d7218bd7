import type { Context } from 'aws-lambda';
import type { Env } from './env.js';

export interface LazyHandlerOptions {
  /**
   * Wire again in the background once the wiring is this old (e.g. to pick up a rotated secret);
   * invocations go on with the current wiring until the new one is ready, and keep it if the new
   * one fails. Off when left out.
   */
  refreshMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * A deployed function's `handler`: wires itself with `wire(process.env)` on the first invocation
 * (nothing is read, imported or connected at import time: `wire` imports its SDK clients
 * dynamically), reuses the result for as long as the container lives (or `refreshMs`), and wires
 * again on the next invocation when wiring failed (the failure is thrown to the invocation that saw it).
 */
export function lazyHandler<E, R>(
  wire: (env: Env) => Promise<Handler<E, R>>,
  options: LazyHandlerOptions = {},
): Handler<E, R> {
  const now = options.now ?? Date.now;
  let wired: Promise<Handler<E, R>> | undefined;
  let wiredAt = 0;
  let refreshing = false;
  return async (event, context) => {
    if (!wired) {
      wiredAt = now();
      wired = wire(process.env).catch((error: unknown) => {
        wired = undefined;
        throw error;
      });
    } else if (options.refreshMs !== undefined && !refreshing && now() - wiredAt >= options.refreshMs) {
      refreshing = true;
      wire(process.env)
        .then(
          (fresh) => {
            wired = Promise.resolve(fresh);
            wiredAt = now();
          },
          () => {}, // keep serving with what works; the next invocation tries again
        )
        .finally(() => {
          refreshing = false;
        });
    }
    return (await wired)(event, context);
  };
}
