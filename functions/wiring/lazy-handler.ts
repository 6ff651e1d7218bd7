import type { Context } from 'aws-lambda';
import type { Env } from './env.js';

/**
 * A deployed function's `handler`: wires itself with `wire(process.env)` on the first invocation
 * (nothing is read, imported or connected at import time: `wire` imports its SDK clients
 * dynamically), reuses the result for as long as the container lives, and wires again on the next
 * invocation when wiring failed (the failure is thrown to the invocation that saw it).
 */
export function lazyHandler<E, R>(
  wire: (env: Env) => Promise<(event: E, context: Context) => Promise<R>>,
): (event: E, context: Context) => Promise<R> {
  let wired: Promise<(event: E, context: Context) => Promise<R>> | undefined;
  return async (event, context) => {
    wired ??= wire(process.env).catch((error: unknown) => {
      wired = undefined;
      throw error;
    });
    return (await wired)(event, context);
  };
}
