/** `portico dev`'s resync interval unless told otherwise: 5 minutes. */
export const DEFAULT_RESYNC_INTERVAL_MS = 300_000;

/**
 * `portico dev --resync-interval`: every `intervalMs` a resync is marked due and a sync requested. The
 * sync then visits every load balancer, changed or not, so what drifted in HAProxy (a hand edit
 * through the runtime API or on disk) is put back, as the functions' scheduled resync does. `take()`
 * says whether the sync about to run is that resync (and clears the mark). 0 turns it off.
 */
export function periodicResync(intervalMs: number, request: () => void): { take(): boolean; stop(): void } {
  let due = false;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          due = true;
          request();
        }, intervalMs)
      : undefined;
  timer?.unref();
  return {
    take() {
      const was = due;
      due = false;
      return was;
    },
    stop: () => clearInterval(timer),
  };
}
