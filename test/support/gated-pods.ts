// The pods of a Service as Kubernetes shows them during a rolling update with readiness gates: the
// Pods (their `portico.dev/lb-…` gate, ContainersReady, Ready) and the EndpointSlice the endpoint
// controller derives from them (ready = the Pod is Ready and not terminating). Put in place of a
// fixture's Service and slice, so that translate reads them as the functions would.

export interface GatedPod {
  name: string;
  /** `ip`, or `ip@zone`. */
  address: string;
  /** The pod's own readiness probe passes (ContainersReady). */
  containersReady: boolean;
  /** Portico's gate condition is True (the forwarder patched it). */
  gateOpen: boolean;
  /** Being deleted: the endpoint controller marks it terminating. */
  terminating?: boolean;
  /** Its gate is True but kubelet has not set Ready yet (nor the endpoint controller the slice). */
  readyLags?: boolean;
}

const podReady = (p: GatedPod) => p.containersReady && p.gateOpen && !p.readyLags;

/** The Pod object as the forwarder sends it (events/trim-pod.ts keeps these fields). */
export function podObject(
  p: GatedPod,
  namespace: string,
  labels: Record<string, string>,
  gate: string,
): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace,
      uid: `uid-${p.name}`,
      labels,
      ...(p.terminating ? { deletionTimestamp: '2030-01-01T00:00:00Z' } : {}),
    },
    spec: { containers: [{ name: 'app' }], readinessGates: [{ conditionType: gate }] },
    status: {
      conditions: [
        { type: 'ContainersReady', status: p.containersReady ? 'True' : 'False' },
        { type: 'Ready', status: podReady(p) ? 'True' : 'False' },
        { type: gate, status: p.gateOpen ? 'True' : 'False' },
      ],
    },
  };
}

/**
 * `objects` with Service `service` (namespace `namespace`) selecting `pods`, its EndpointSlice
 * (named `<service>-abc`) listing them, and the Pods, all carrying `gate`.
 */
export function withGatedPods(
  objects: readonly unknown[],
  namespace: string,
  service: string,
  pods: readonly GatedPod[],
  gate: string,
): unknown[] {
  const labels = { app: service };
  const out: unknown[] = [];
  for (const o of objects) {
    const obj = o as { kind?: string; metadata?: { name?: string; namespace?: string }; spec?: object };
    if (obj.metadata?.namespace !== namespace) {
      out.push(o);
    } else if (obj.kind === 'Service' && obj.metadata.name === service) {
      out.push({ ...obj, spec: { ...obj.spec, selector: labels } });
    } else if (obj.kind === 'EndpointSlice' && obj.metadata.name === `${service}-abc`) {
      const slice = o as { endpoints: { zone?: string }[] };
      const zone = slice.endpoints[0]?.zone;
      out.push({
        ...slice,
        endpoints: pods.map((p) => {
          const [ip, podZone = zone] = p.address.split('@');
          return {
            addresses: [ip],
            ...(podZone ? { zone: podZone } : {}),
            conditions: {
              ready: podReady(p) && !p.terminating,
              serving: podReady(p),
              terminating: p.terminating ?? false,
            },
            targetRef: { kind: 'Pod', namespace, name: p.name },
          };
        }),
      });
    } else {
      out.push(o);
    }
  }
  for (const p of pods) out.push(podObject(p, namespace, labels, gate));
  return out;
}
