import type { DispatchMark } from '#functions/store/dispatch-mark.js';

/** How long a mark is trusted (ms). */
export interface DispatchLeases {
  /** A claim whose run has not begun by then counts as lost: the next change claims the key again. */
  queuedMs: number;
  /** A run that has not ended by then counts as crashed. */
  runningMs: number;
}

/** What a transition decided: the mark to write (none: leave it), and whether a message must go out. */
export interface Transition {
  next?: DispatchMark;
  /** The key was claimed: send one reconcile message for `next` (its generation). */
  claim: boolean;
}

/** The mark holds the key: queued or running, and its lease has not run out. */
export function isHeld(mark: DispatchMark | undefined, now: number): mark is DispatchMark {
  return mark !== undefined && mark.state !== 'idle' && mark.leaseUntil > now;
}

function claimed(mark: DispatchMark | undefined, now: number, leases: DispatchLeases): Transition {
  return {
    next: {
      state: 'queued',
      dirty: false,
      generation: (mark?.generation ?? 0) + 1,
      claimedAt: now,
      leaseUntil: now + leases.queuedMs,
    },
    claim: true,
  };
}

/**
 * record stored a change of the key. A key nobody holds is claimed (its message goes out at once:
 * leading edge). A queued key needs nothing: its run has not begun, so it will read the change. A
 * running key is marked dirty: its run may have read the bundle before the change.
 */
export function onChange(mark: DispatchMark | undefined, now: number, leases: DispatchLeases): Transition {
  if (!isHeld(mark, now)) return claimed(mark, now, leases);
  if (mark.state === 'queued' || mark.dirty) return { claim: false };
  return { next: { ...mark, dirty: true }, claim: false };
}

/**
 * The run `runId` ended. Dirty: the key is claimed again (one trailing reconcile for every change
 * that came during the run). Otherwise it is idle. A run that no longer holds the mark (a later run
 * took over, or a change claimed the key after the lease ran out) leaves it to the holder.
 */
export function onEnd(
  mark: DispatchMark | undefined,
  now: number,
  leases: DispatchLeases,
  runId: string,
): Transition {
  if (mark?.state !== 'running' || mark.runId !== runId) return { claim: false };
  if (mark.dirty) return claimed(mark, now, leases);
  const { runId: _run, ...rest } = mark;
  return { next: { ...rest, state: 'idle', dirty: false, leaseUntil: 0 }, claim: false };
}

/**
 * The message of claim `generation` could not be sent: the key is let go (idle), so the next change
 * claims it at once instead of waiting for a run that will never come.
 */
export function onSendFailed(mark: DispatchMark | undefined, generation: number): Transition {
  if (mark?.state !== 'queued' || mark.generation !== generation) return { claim: false };
  return { next: { ...mark, state: 'idle', leaseUntil: 0 }, claim: false };
}
