// Objects the upstream suite creates in Go rather than in YAML: the Gateway suite's setup table (created for
// every Gateway scenario, before anything waits for Pods), and whatever a scenario's
// requiresProgrammaticResources[] lists beyond it (e.g. an Ingress scenario's self-signed TLS Secret).

import {
  type CertificatePair,
  caConfigMap,
  certificateAuthority,
  leafCertificate,
  selfSignedCertificate,
  tlsSecret,
} from './certificates.js';
import { asArray, asRecord, type KubeObject, objectKey, refKey } from './kube-object.js';

const INFRA = 'gateway-conformance-infra';

let suiteCache: KubeObject[] | undefined;

/**
 * Upstream's suite setup (conformance/utils/suite/suite.go), once per process: the same CAs and
 * certificates for every scenario of a run, as upstream creates them once per suite run.
 */
export function suiteResources(): KubeObject[] {
  if (suiteCache) return suiteCache.map((o) => structuredClone(o));
  const ca1 = certificateAuthority();
  const ca2 = certificateAuthority();
  const ca3 = certificateAuthority();
  const webCa = certificateAuthority();
  const mismatch = certificateAuthority();
  const signed = (ca: CertificatePair, hosts: string[], uris: string[] = []) =>
    leafCertificate({ ca, hosts, uris, usage: 'server' });
  const client = (ca: CertificatePair) => leafCertificate({ ca, usage: 'client' });
  suiteCache = [
    tlsSecret(
      INFRA,
      'tls-validity-checks-certificate',
      selfSignedCertificate(['*', '*.org', '*.wildcard.org']),
    ),
    tlsSecret('gateway-conformance-web-backend', 'certificate', selfSignedCertificate(['*'])),
    caConfigMap('gateway-conformance-web-backend', 'web-backend-cm', webCa),
    caConfigMap(INFRA, 'tls-validity-checks-ca-certificate', ca1),
    tlsSecret(INFRA, 'tls-validity-checks-client-certificate', client(ca1)),
    caConfigMap(INFRA, 'tls-validity-checks-per-port-ca-certificate', ca2),
    tlsSecret(INFRA, 'tls-validity-checks-per-port-client-certificate', client(ca2)),
    caConfigMap(INFRA, 'tls-checks-ca-certificate', ca3),
    tlsSecret(
      INFRA,
      'tls-checks-certificate',
      signed(ca3, ['abc.example.com', 'other.example.com'], ['spiffe://abc.example.com/test-identity']),
    ),
    tlsSecret(INFRA, 'tls-checks-client-certificate', client(ca3)),
    tlsSecret(INFRA, 'tls-passthrough-checks-certificate', signed(ca3, ['abc.example.com'])),
    tlsSecret(
      'gateway-conformance-app-backend',
      'tls-passthrough-checks-certificate',
      signed(ca3, ['abc.example.com']),
    ),
    tlsSecret(INFRA, 'tls-terminate-checks-certificate', signed(ca3, ['tls.example.com'])),
    caConfigMap(INFRA, 'mismatch-ca-certificate', mismatch),
  ];
  return suiteResources();
}

/**
 * The programmatic objects of one scenario: the suite table (Gateway scenarios), then every listed entry
 * the table does not already hold. Accepted entry shapes: `"namespace/name"` (a TLS Secret),
 * `{kind?: "Secret", namespace, name, hosts|hostnames|sans|dnsNames}` (self-signed, SANs in that order),
 * `{kind: "ConfigMap" | "Secret", namespace, name, data}` (taken as given), or a whole object.
 * An entry naming a table object only documents it. Anything else is a clear error.
 */
export function programmaticResources(
  entries: readonly unknown[] | undefined,
  file: string,
  options: { suite: boolean },
): KubeObject[] {
  const out = options.suite ? suiteResources() : [];
  const have = new Set(out.map(objectKey));
  for (const [i, entry] of (entries ?? []).entries()) {
    const where = `${file}: requiresProgrammaticResources[${i}]`;
    const known = entryKey(entry);
    if (known && have.has(known)) continue;
    const o = programmaticResource(entry, where);
    have.add(objectKey(o));
    out.push(o);
  }
  return out;
}

function entryKey(entry: unknown): string | undefined {
  if (typeof entry === 'string') {
    const [namespace, name] = entry.includes('/') ? entry.split('/', 2) : [INFRA, entry];
    return refKey('Secret', namespace, name ?? '');
  }
  const e = asRecord(entry);
  if (!e) return undefined;
  const meta = asRecord(e.metadata);
  const kind = typeof e.kind === 'string' ? e.kind : 'Secret';
  const namespace = meta ? meta.namespace : e.namespace;
  const name = meta ? meta.name : e.name;
  return typeof namespace === 'string' && typeof name === 'string'
    ? refKey(kind, namespace, name)
    : undefined;
}

function programmaticResource(entry: unknown, where: string): KubeObject {
  if (typeof entry === 'string') {
    const [namespace, name] = entry.includes('/') ? entry.split('/', 2) : [INFRA, entry];
    return tlsSecret(namespace ?? '', name ?? '', selfSignedCertificate([]));
  }
  const e = asRecord(entry);
  if (!e) throw new Error(`${where}: expected a string or an object, got ${JSON.stringify(entry)}`);
  if (asRecord(e.metadata) && typeof e.apiVersion === 'string') return structuredClone(e) as KubeObject;
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
  const hosts = asArray(e.hosts ?? e.hostnames ?? e.sans ?? e.dnsNames ?? e.san).filter(
    (h): h is string => typeof h === 'string',
  );
  if (kind !== 'Secret' || hosts.length === 0) {
    throw new Error(
      `${where}: ${kind} ${namespace}/${name} is not one of the suite's objects and gives neither "data" nor "hosts" to build it from`,
    );
  }
  return tlsSecret(namespace, name, selfSignedCertificate(hosts));
}
