// One "pod" of an echo Deployment: its own loopback IP (like a pod IP), serving on the container ports the
// upstream images use - HTTP echo on 3000 (and 3001, echo-basic's second port), HTTPS echo on 8443 when
// the Deployment mounts a serving certificate, or the TCP echo protocol on 3000 / TLS 8443 when the env
// sets TCP_ECHO_SERVER - plus any other TCP containerPort the Deployment declares (HTTP echo).

import { type EchoRecord, type EchoServer, startEchoServer } from './echo-server.js';
import { startTcpEchoServer, type TcpEchoServer } from './tcp-echo-server.js';

export const HTTP_PORT = 3000;
export const SECOND_HTTP_PORT = 3001;
export const TLS_PORT = 8443;

export interface EchoPodSpec {
  deployment: string;
  namespace: string;
  podName: string;
  labels: Record<string, string>;
  ip: string;
  env: Record<string, string>;
  /** Extra TCP container ports declared by the Deployment. */
  containerPorts: number[];
  /** Serving certificate (TLS_SERVER_CERT / TLS_SERVER_PRIVKEY mounted from a Secret). */
  serverCertificate?: { cert: string; key: string };
  /** TLS_CLIENT_CACERTS content. */
  clientCa?: string;
  flavor: 'gateway' | 'ingress';
}

export interface EchoPod {
  readonly deployment: string;
  readonly namespace: string;
  readonly podName: string;
  readonly labels: Record<string, string>;
  /** The pod IP. */
  readonly host: string;
  /** The HTTP echo port (3000). */
  readonly port: number;
  /** Every port the pod listens on. */
  readonly ports: readonly number[];
  readonly records: readonly EchoRecord[];
  logs(since?: number): string[];
  received(requestUri: string, since?: number): boolean;
  close(): Promise<void>;
}

export async function startEchoPod(spec: EchoPodSpec): Promise<EchoPod> {
  const records: EchoRecord[] = [];
  const retryCounters = new Map<string, number>();
  const closers: (EchoServer | TcpEchoServer)[] = [];
  const common = {
    deployment: spec.deployment,
    namespace: spec.namespace,
    podName: spec.podName,
    labels: spec.labels,
    host: spec.ip,
    flavor: spec.flavor,
    env: spec.env,
    records,
    retryCounters,
  };
  try {
    if (spec.env.TCP_ECHO_SERVER !== undefined) {
      const tcp = { host: spec.ip, namespace: spec.namespace, podName: spec.podName, env: spec.env };
      const ports = { tcp: HTTP_PORT, tls: TLS_PORT };
      closers.push(await startTcpEchoServer({ ...tcp, port: HTTP_PORT, ports }));
      if (spec.serverCertificate)
        closers.push(
          await startTcpEchoServer({ ...tcp, port: TLS_PORT, ports, tls: spec.serverCertificate }),
        );
    } else {
      closers.push(await startEchoServer({ ...common, port: HTTP_PORT }));
      if (spec.flavor === 'gateway')
        closers.push(await startEchoServer({ ...common, port: SECOND_HTTP_PORT }));
      if (spec.serverCertificate) {
        const tls = { ...spec.serverCertificate, ...(spec.clientCa ? { clientCa: spec.clientCa } : {}) };
        closers.push(await startEchoServer({ ...common, port: TLS_PORT, tls }));
      }
    }
    for (const p of spec.containerPorts) {
      if (p === HTTP_PORT || p === SECOND_HTTP_PORT || p === TLS_PORT) continue;
      closers.push(await startEchoServer({ ...common, port: p }));
    }
  } catch (err) {
    await Promise.all(closers.map((c) => c.close()));
    throw err;
  }
  return {
    deployment: spec.deployment,
    namespace: spec.namespace,
    podName: spec.podName,
    labels: spec.labels,
    host: spec.ip,
    port: HTTP_PORT,
    ports: closers.map((c) => c.port),
    records,
    logs: (since = 0) => records.filter((r) => r.at >= since).map((r) => r.logLine),
    received: (uri, since = 0) => records.some((r) => r.at >= since && r.requestUri === uri),
    close: async () => {
      await Promise.all(closers.map((c) => c.close()));
    },
  };
}
