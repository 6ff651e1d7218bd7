// The running echo pods, `spec.replicas` per backend Deployment, each on its own loopback IP. Shared by the
// scenarios of a run: a Deployment that stays the same keeps its pods (so EndpointSlices stay stable
// between tests); one that changed is restarted, one that is gone is stopped.

import { randomInt } from 'node:crypto';
import { type EchoPod, startEchoPod } from './echo-pod.js';
import { defaultPodName } from './echo-server.js';
import type { DeploymentInfo } from './endpoint-slices.js';

interface RunningDeployment {
  fingerprint: string;
  pods: EchoPod[];
}

export class EchoBackends {
  readonly #deployments = new Map<string, RunningDeployment>();
  readonly #flavor: 'gateway' | 'ingress';
  /** Pod IPs: 127.<a>.<b>.<c> from a random /16 per process, so parallel runs rarely meet. */
  readonly #ipBase = `127.${100 + randomInt(150)}`;
  #nextIp = 1;

  constructor(options: { flavor?: 'gateway' | 'ingress' } = {}) {
    this.#flavor = options.flavor ?? 'gateway';
  }

  /**
   * Runs exactly these Deployments: starts missing pods, restarts Deployments whose spec changed, scales
   * to `replicas`, stops the pods of Deployments that are not listed. Returns every running pod.
   */
  async ensure(deployments: readonly DeploymentInfo[], flavor = this.#flavor): Promise<EchoPod[]> {
    const wanted = new Map(deployments.map((d) => [`${d.namespace}/${d.name}`, d]));
    for (const [key, running] of [...this.#deployments]) {
      const d = wanted.get(key);
      if (!d || fingerprint(d, flavor) !== running.fingerprint) {
        this.#deployments.delete(key);
        await Promise.all(running.pods.map((p) => p.close()));
      }
    }
    for (const [key, d] of wanted) {
      let running = this.#deployments.get(key);
      if (!running) {
        running = { fingerprint: fingerprint(d, flavor), pods: [] };
        this.#deployments.set(key, running);
      }
      while (running.pods.length > d.replicas) await running.pods.pop()?.close();
      while (running.pods.length < d.replicas) running.pods.push(await this.#startPod(d, flavor));
    }
    return this.all();
  }

  async #startPod(d: DeploymentInfo, flavor: 'gateway' | 'ingress'): Promise<EchoPod> {
    for (let tries = 0; ; tries++) {
      const n = this.#nextIp++;
      const ip = `${this.#ipBase}.${Math.floor(n / 250) % 256}.${(n % 250) + 1}`;
      try {
        return await startEchoPod({
          deployment: d.name,
          namespace: d.namespace,
          podName: defaultPodName(d.name),
          labels: d.podLabels,
          ip,
          env: d.env,
          containerPorts: d.containerPorts.map((p) => p.port),
          ...(d.serverCertificate ? { serverCertificate: d.serverCertificate } : {}),
          ...(d.clientCa ? { clientCa: d.clientCa } : {}),
          flavor,
        });
      } catch (err) {
        // Another process holds this IP's port: take the next IP.
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || tries > 50) throw err;
      }
    }
  }

  all(): EchoPod[] {
    return [...this.#deployments.values()].flatMap((d) => d.pods);
  }

  /** The pods of one Deployment. */
  ofDeployment(namespace: string, name: string): EchoPod[] {
    return this.#deployments.get(`${namespace}/${name}`)?.pods ?? [];
  }

  /** The pod named `podName`, if any. */
  byPod(podName: string): EchoPod | undefined {
    return this.all().find((s) => s.podName === podName);
  }

  /**
   * The pods of a backend as upstream finds them for mirror checks (pods labelled `app=<name>` in the
   * namespace); falls back to the Deployment of that name.
   */
  forBackend(namespace: string, name: string): EchoPod[] {
    const inNs = this.all().filter((s) => s.namespace === namespace);
    const byLabel = inNs.filter((s) => s.labels.app === name);
    return byLabel.length > 0 ? byLabel : inNs.filter((s) => s.deployment === name);
  }

  async close(): Promise<void> {
    const pods = this.all();
    this.#deployments.clear();
    await Promise.all(pods.map((s) => s.close()));
  }
}

function fingerprint(d: DeploymentInfo, flavor: string): string {
  const { replicas: _r, ...rest } = d;
  return JSON.stringify({ ...rest, flavor });
}
