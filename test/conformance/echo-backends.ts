// The set of running echo servers, one per backend Deployment (namespace/name), shared by every scenario of a
// run so that the EndpointSlices stay stable between tests.

import { type EchoServer, startEchoServer } from './echo-server.js';
import type { DeploymentInfo } from './endpoint-slices.js';

export class EchoBackends {
  readonly #servers = new Map<string, EchoServer>();
  readonly #host: string;

  constructor(options: { host?: string } = {}) {
    this.#host = options.host ?? '127.0.0.1';
  }

  /** Starts a server for every Deployment that has none yet; returns the servers of these Deployments. */
  async ensure(deployments: readonly DeploymentInfo[]): Promise<EchoServer[]> {
    const out: EchoServer[] = [];
    for (const d of deployments) {
      const key = `${d.namespace}/${d.name}`;
      let server = this.#servers.get(key);
      if (!server) {
        server = await startEchoServer({
          deployment: d.name,
          namespace: d.namespace,
          labels: d.podLabels,
          host: this.#host,
        });
        this.#servers.set(key, server);
      }
      out.push(server);
    }
    return out;
  }

  all(): EchoServer[] {
    return [...this.#servers.values()];
  }

  /** The server of the pod named `podName`, if any. */
  byPod(podName: string): EchoServer | undefined {
    return this.all().find((s) => s.podName === podName);
  }

  /**
   * The pods of a backend as upstream finds them for mirror checks (pods labelled `app=<name>` in the
   * namespace); falls back to the Deployment of that name.
   */
  forBackend(namespace: string, name: string): EchoServer[] {
    const inNs = this.all().filter((s) => s.namespace === namespace);
    const byLabel = inNs.filter((s) => s.labels.app === name);
    return byLabel.length > 0 ? byLabel : inNs.filter((s) => s.deployment === name);
  }

  async close(): Promise<void> {
    const servers = this.all();
    this.#servers.clear();
    await Promise.all(servers.map((s) => s.close()));
  }
}
