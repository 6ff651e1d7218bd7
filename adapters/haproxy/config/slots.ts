// Which endpoint sits in which server slot. render does not decide it: the apply side keeps the
// previous assignment (observed from HAProxy or remembered) so that an endpoint never moves between
// slots, which would cut its connections and reset its health state.

import type { DesiredEndpoint } from '../model.js';

/** `slots[i]` is server `s<i+1>` of the backend; null = free (disabled placeholder). */
export interface SlotAssignment {
  slots: (DesiredEndpoint | null)[];
}

const endpointKey = (e: { address: string; port: number }) => `${e.address}|${e.port}`;

/**
 * Pure: endpoints already in a slot (same address and port) stay there with their new weight and
 * state; the rest fill the lowest free slots in the order given; gone endpoints free their slot.
 * Throws RangeError when the endpoints do not fit (the backend needs more slots: a reload).
 */
export function assignSlots(
  previous: SlotAssignment | undefined,
  desired: readonly DesiredEndpoint[],
  slotCount: number,
): SlotAssignment {
  if (!Number.isInteger(slotCount) || slotCount < 0) throw new RangeError(`bad slot count ${slotCount}`);
  const wanted = new Map<string, DesiredEndpoint>();
  for (const e of desired) if (!wanted.has(endpointKey(e))) wanted.set(endpointKey(e), e);
  if (wanted.size > slotCount)
    throw new RangeError(`${wanted.size} endpoints do not fit in ${slotCount} server slots`);

  const slots: (DesiredEndpoint | null)[] = new Array(slotCount).fill(null);
  const placed = new Set<string>();
  (previous?.slots ?? []).slice(0, slotCount).forEach((e, i) => {
    if (!e) return;
    const k = endpointKey(e);
    const next = wanted.get(k);
    if (next && !placed.has(k)) {
      slots[i] = next;
      placed.add(k);
    }
  });
  let free = 0;
  for (const [k, e] of wanted) {
    if (placed.has(k)) continue;
    while (slots[free] !== null) free++;
    slots[free] = e;
    placed.add(k);
  }
  return { slots };
}
