// Which readiness gates a load balancer opens after one health read: pure, from the pod gates of
// the read (pod-gates.ts), whether the read was complete, and what the previous read opened.

import type { PodRef } from '#core/ir/load-balancer.js';
import type { LoadBalancerPodGates } from './pod-gates.js';

/** A pod whose gate is open, with the condition's message. */
export interface OpenGate {
  pod: PodRef;
  conditionType: string;
  message: string;
}

export interface OpenGates {
  /** Every targeted pod whose gate is open, sorted by namespace and name. */
  open: OpenGate[];
  /** Targeted pods still waiting for the provider's health checks. */
  waiting: PodRef[];
}

/**
 * Only a target the provider reports `healthy` opens a gate. A pod missing from a complete report
 * is not registered yet: it waits. An incomplete report (a page failed, throttled) never closes
 * a gate: a pod it opened before stays open while the load balancer still targets it. Pods the
 * load balancer no longer targets are left out.
 */
export function openGates(
  gates: LoadBalancerPodGates,
  complete: boolean,
  previous: readonly OpenGate[],
): OpenGates {
  const before = new Map(
    previous.filter((g) => g.conditionType === gates.conditionType).map((g) => [idOf(g.pod), g]),
  );
  const open: OpenGate[] = [];
  const waiting: PodRef[] = [];
  for (const gate of gates.pods) {
    const kept = complete ? undefined : before.get(idOf(gate.pod));
    if (gate.healthy) {
      open.push({
        pod: gate.pod,
        conditionType: gates.conditionType,
        message: gate.unenforced
          ? `not enforced by load balancer ${gates.key}: ${gate.unenforced}`
          : `healthy in load balancer ${gates.key}`,
      });
    } else if (kept) {
      open.push(kept);
    } else {
      waiting.push(gate.pod);
    }
  }
  return { open, waiting };
}

function idOf(pod: PodRef): string {
  return `${pod.namespace}/${pod.name}`;
}
