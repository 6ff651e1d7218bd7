// Turns Portico's readiness gates True on Pods: the `status.conditions` entry whose type the Pod's
// `spec.readinessGates` names, and nothing else of the Pod. Shared by the forwarder and
// `portico dev --kubeconfig`. Pods are read from the API server (untrusted: checked before use).

import { z } from 'zod';
import type { PodRef } from '#core/ir/load-balancer.js';
import { K8S_NAME } from '#core/model/meta.js';
import type { GatedPod } from '#core/readiness/pod-gates.js';
import { KubeApiError } from './kube-api-error.js';
import type { KubeHttp } from './kube-http.js';

const pod = z.looseObject({
  metadata: z.looseObject({
    name: z.string().max(253).regex(K8S_NAME),
    namespace: z.string().max(63),
    resourceVersion: z.string().max(64).optional(),
    deletionTimestamp: z.string().optional(),
    labels: z.record(z.string().max(317), z.string().max(63)).optional(),
  }),
  spec: z
    .looseObject({
      readinessGates: z
        .array(z.looseObject({ conditionType: z.string().max(316) }))
        .max(64)
        .nullish(),
    })
    .optional(),
  status: z
    .looseObject({
      conditions: z
        .array(z.looseObject({ type: z.string().max(316), status: z.string().max(16) }))
        .max(64)
        .nullish(),
    })
    .optional(),
});
type Pod = z.infer<typeof pod>;

export interface GateWriteReport {
  /** `namespace/name` of the Pods whose condition was set True. */
  written: string[];
  /** Pods already True, or that carry no such gate (Portico gates only the pods that ask). */
  unchanged: number;
  /** Pods that vanished meanwhile. */
  gone: number;
  failed: { pod: string; message: string }[];
}

export interface ReadinessGateWriterOptions {
  http: KubeHttp;
  /** lastTransitionTime of the condition. */
  now: () => string;
}

/** Whether the Pod asks for the gate and it is not True yet. */
export function waitsOnGate(p: Pod, conditionType: string): boolean {
  if (p.metadata.deletionTimestamp) return false;
  if (!(p.spec?.readinessGates ?? []).some((g) => g.conditionType === conditionType)) return false;
  return !(p.status?.conditions ?? []).some((c) => c.type === conditionType && c.status === 'True');
}

export class ReadinessGateWriter {
  readonly #options: ReadinessGateWriterOptions;

  constructor(options: ReadinessGateWriterOptions) {
    this.#options = options;
  }

  /**
   * Sets `conditionType` True on each Pod that has the readiness gate and is not True yet. A merge
   * patch replaces the whole conditions list, so it carries every other writer's conditions as read,
   * with the resourceVersion they were read at: a concurrent write (kubelet's) makes it fail with
   * 409, and it is read and written again.
   */
  async markReady(
    conditionType: string,
    pods: readonly { pod: PodRef; message: string }[],
    signal?: AbortSignal,
  ): Promise<GateWriteReport> {
    const report: GateWriteReport = { written: [], unchanged: 0, gone: 0, failed: [] };
    for (const { pod: ref, message } of pods) {
      const id = `${ref.namespace}/${ref.name}`;
      try {
        const outcome = await this.#markOne(ref, conditionType, message, signal);
        if (outcome === 'written') report.written.push(id);
        else if (outcome === 'gone') report.gone++;
        else report.unchanged++;
      } catch (err) {
        report.failed.push({ pod: id, message: err instanceof Error ? err.message : String(err) });
      }
    }
    return report;
  }

  /** The Pods of `namespaces` that wait on the gate (a list per namespace). */
  async podsWaitingOn(
    conditionType: string,
    namespaces: readonly string[],
    signal?: AbortSignal,
  ): Promise<GatedPod[]> {
    const out: GatedPod[] = [];
    for (const namespace of namespaces) {
      const list = await this.#options.http.request<{ items?: unknown[] }>({
        method: 'GET',
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
        ...(signal ? { signal } : {}),
      });
      for (const item of list.items ?? []) {
        const parsed = pod.safeParse(item);
        if (!parsed.success || !waitsOnGate(parsed.data, conditionType)) continue;
        const { name, labels } = parsed.data.metadata;
        out.push({ namespace, name, labels: labels ?? {} });
      }
    }
    return out;
  }

  async #markOne(
    ref: PodRef,
    conditionType: string,
    message: string,
    signal: AbortSignal | undefined,
  ): Promise<'written' | 'unchanged' | 'gone'> {
    const path = `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/pods/${encodeURIComponent(ref.name)}`;
    for (let attempt = 0; ; attempt++) {
      let current: Pod;
      try {
        const raw = await this.#options.http.request({ method: 'GET', path, ...(signal ? { signal } : {}) });
        const parsed = pod.safeParse(raw);
        if (!parsed.success)
          throw new Error(
            `the API server sent a Pod Portico cannot read: ${parsed.error.issues[0]?.message}`,
          );
        current = parsed.data;
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 404) return 'gone';
        throw err;
      }
      if (!waitsOnGate(current, conditionType)) return 'unchanged';
      const others = (current.status?.conditions ?? []).filter((c) => c.type !== conditionType);
      const condition = {
        type: conditionType,
        status: 'True',
        reason: 'LoadBalancerHealthy',
        message,
        lastTransitionTime: this.#options.now(),
      };
      try {
        await this.#options.http.request({
          method: 'PATCH',
          path: `${path}/status`,
          body: {
            metadata: current.metadata.resourceVersion
              ? { resourceVersion: current.metadata.resourceVersion }
              : {},
            status: { conditions: [...others, condition] },
          },
          ...(signal ? { signal } : {}),
        });
        return 'written';
      } catch (err) {
        if (err instanceof KubeApiError && err.code === 404) return 'gone';
        if (err instanceof KubeApiError && err.code === 409 && attempt < 3) continue;
        throw err;
      }
    }
  }
}
