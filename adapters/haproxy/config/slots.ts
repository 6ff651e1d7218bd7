// Which endpoint sits in which server slot. render does not decide it: the apply side keeps the
// previous assignment (observed from HAProxy or remembered) so that an endpoint never moves between
// slots, which would cut its connections and reset its health state.

import type { DesiredEndpoint } from '../model.js';

/**
 * `slots[i]` is server `s<i+1>` of the backend, `backupSlots[i]` its backup server `b<i+1>`; null =
 * free (disabled placeholder).
 */
export interface SlotAssignment {
  slots: (DesiredEndpoint | null)[];
  backupSlots?: (DesiredEndpoint | null)[];
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

/**
 * Both slot groups of a backend: primary endpoints in primary slots, backup endpoints (`backup`) in
 * backup slots, each group assigned as assignSlots does. An endpoint that changes group changes slot.
 */
export function assignBackendSlots(
  previous: SlotAssignment | undefined,
  desired: readonly DesiredEndpoint[],
  slotCount: number,
  backupSlotCount = 0,
): SlotAssignment {
  const primary = assignSlots(
    previous,
    desired.filter((e) => !e.backup),
    slotCount,
  );
  const backups = desired.filter((e) => e.backup);
  if (backupSlotCount === 0 && backups.length === 0) return primary;
  const backup = assignSlots({ slots: previous?.backupSlots ?? [] }, backups, backupSlotCount);
  return { slots: primary.slots, backupSlots: backup.slots };
}
