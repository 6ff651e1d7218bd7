// Objects the upstream suite creates in Go rather than in YAML (requiresProgrammaticResources[]), plus the
// one its setup always creates before any test.

import { asArray, asRecord, type KubeObject } from './kube-object.js';
import { selfSignedTlsSecret } from './self-signed-cert.js';

/** Created by upstream's suite setup for every test (README: "Setup before any test"). */
export const SETUP_SECRETS: readonly ProgrammaticSecret[] = [
  {
    namespace: 'gateway-conformance-infra',
    name: 'tls-validity-checks-certificate',
    hosts: ['*', '*.org', '*.wildcard.org'],
  },
];

export interface ProgrammaticSecret {
  namespace: string;
  name: string;
  hosts: string[];
}

/**
 * Builds the objects an expect.json asks for. Accepted entry shapes (the file format leaves them open):
 * `"namespace/name"` (a TLS Secret), or `{kind?: "Secret", namespace, name, hosts|hostnames|sans|dnsNames}`,
 * or `{kind: "ConfigMap" | "Secret", namespace, name, data}` (taken as given), or a whole object
 * (`{apiVersion, kind, metadata, ...}`). Anything else is a clear error.
 */
export function programmaticResources(entries: readonly unknown[] | undefined, file: string): KubeObject[] {
  const out = SETUP_SECRETS.map((s) => selfSignedTlsSecret(s.namespace, s.name, s.hosts));
  for (const [i, entry] of (entries ?? []).entries()) {
    out.push(programmaticResource(entry, `${file}: requiresProgrammaticResources[${i}]`));
  }
  return out;
}

function programmaticResource(entry: unknown, where: string): KubeObject {
  if (typeof entry === 'string') {
    const [namespace, name] = entry.includes('/')
      ? entry.split('/', 2)
      : ['gateway-conformance-infra', entry];
    return selfSignedTlsSecret(namespace ?? '', name ?? '', knownHosts(namespace ?? '', name ?? '') ?? []);
  }
  const e = asRecord(entry);
  if (!e) throw new Error(`${where}: expected a string or an object, got ${JSON.stringify(entry)}`);
  if (asRecord(e.metadata) && typeof e.apiVersion === 'string') return e as KubeObject;
  const kind = typeof e.kind === 'string' ? e.kind : 'Secret';
  const namespace = typeof e.namespace === 'string' ? e.namespace : undefined;
  const name = typeof e.name === 'string' ? e.name : undefined;
  if (!namespace || !name) throw new Error(`${where}: needs "namespace" and "name"`);
  if (asRecord(e.data)) {
    return {
      apiVersion: 'v1',
      kind,
      metadata: { namespace, name },
      ...(typeof e.type === 'string' ? { type: e.type } : {}),
      data: e.data,
    };
  }
  if (kind !== 'Secret') throw new Error(`${where}: a ${kind} needs "data" (only TLS Secrets are generated)`);
  const hostsField = e.hosts ?? e.hostnames ?? e.sans ?? e.dnsNames ?? e.san;
  const hosts = asArray(hostsField).filter((h): h is string => typeof h === 'string');
  return selfSignedTlsSecret(namespace, name, hosts.length > 0 ? hosts : (knownHosts(namespace, name) ?? []));
}

function knownHosts(namespace: string, name: string): string[] | undefined {
  return SETUP_SECRETS.find((s) => s.namespace === namespace && s.name === name)?.hosts;
}
