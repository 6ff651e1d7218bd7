/**
 * Aborts `marginMs` before the Lambda times out (when the context can tell), or when `outer` aborts.
 */
export function deadlineSignal(
  context: { getRemainingTimeInMillis?: () => number } | undefined,
  marginMs: number,
  outer?: AbortSignal,
): AbortSignal {
  const signals: AbortSignal[] = outer ? [outer] : [];
  const remaining = context?.getRemainingTimeInMillis?.();
  if (typeof remaining === 'number' && Number.isFinite(remaining)) {
    const left = remaining - marginMs;
    signals.push(
      left > 0
        ? AbortSignal.timeout(left)
        : AbortSignal.abort(new DOMException('too close to the timeout', 'TimeoutError')),
    );
  }
  return signals.length === 0 ? new AbortController().signal : AbortSignal.any(signals);
}
