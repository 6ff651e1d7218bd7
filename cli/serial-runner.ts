/**
 * Runs `task` one at a time: a request made while it runs folds into one more run after it, so the
 * last change is always acted on and never twice at once. Errors go to `onError`. Once `signal` is
 * aborted, requests are ignored.
 */
export function serialRunner(
  task: () => Promise<void>,
  onError: (err: unknown) => void,
  signal?: AbortSignal,
): { request: () => void; idle: () => Promise<void> } {
  let running: Promise<void> | undefined;
  let again = false;
  return {
    request() {
      if (signal?.aborted) return;
      if (running) {
        again = true;
        return;
      }
      running = (async () => {
        do {
          again = false;
          await task().catch(onError);
        } while (again && !signal?.aborted);
        running = undefined;
      })();
    },
    idle: () => running ?? Promise.resolve(),
  };
}
