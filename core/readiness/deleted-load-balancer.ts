// The gates of a load balancer that is deleted: nothing will ever check the pods still waiting on
// it, so they are released (the condition True, saying why) instead of being held back forever.

import type { LbKey } from '#core/ir/load-balancer.js';
import { compareStrings } from '#core/ir/sort.js';
import { pod as podSchema } from '#core/model/pod.js';
import { readinessGateType } from './gate-condition.js';
import type { OpenGate } from './open-gates.js';

/**
 * The gate of every Pod among `objects` (untrusted: anything that is not a valid Pod is passed
 * over) that names the deleted load balancer's gate in its readinessGates and whose condition is
 * not True yet, sorted by namespace and name. A Pod being deleted is left alone.
 */
export function gatesReleasedByDeletion(key: LbKey, objects: Iterable<unknown>): OpenGate[] {
  const conditionType = readinessGateType(key);
  const released: OpenGate[] = [];
  for (const object of objects) {
    const parsed = podSchema.safeParse(object);
    if (!parsed.success) continue;
    const { metadata, spec, status } = parsed.data;
    if (metadata.deletionTimestamp !== undefined || !metadata.namespace) continue;
    if (!(spec.readinessGates ?? []).some((g) => g.conditionType === conditionType)) continue;
    if (status?.conditions?.find((c) => c.type === conditionType)?.status === 'True') continue;
    released.push({
      pod: { namespace: metadata.namespace, name: metadata.name },
      conditionType,
      message: `load balancer ${key} is deleted: it no longer holds the pod back`,
    });
  }
  return released.sort(
    (a, b) => compareStrings(a.pod.namespace, b.pod.namespace) || compareStrings(a.pod.name, b.pod.name),
  );
}
