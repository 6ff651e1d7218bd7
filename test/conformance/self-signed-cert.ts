// Self-signed certificates for the Secrets the upstream suite creates in Go (MustCreateSelfSignedCertSecret):
// RSA 2048, the given hosts as DNS (or IP) SANs, generated with the machine's `openssl`.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from './kube-object.js';

export interface CertificatePair {
  certPem: string;
  keyPem: string;
  hosts: string[];
}

const cache = new Map<string, CertificatePair>();

/** Cached per host list: one openssl run per distinct SAN set per process. */
export function selfSignedCertificate(hosts: readonly string[]): CertificatePair {
  const key = hosts.join(',');
  const hit = cache.get(key);
  if (hit) return hit;
  const dir = mkdtempSync(join(tmpdir(), 'portico-conformance-cert-'));
  try {
    const san = hosts.map((h) => (/^[0-9.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '365',
        '-keyout',
        join(dir, 'tls.key'),
        '-out',
        join(dir, 'tls.crt'),
        '-subj',
        '/O=kubernetes-sigs.k8s.io/CN=gateway-conformance',
        ...(san ? ['-addext', `subjectAltName=${san}`] : []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const pair = {
      certPem: readFileSync(join(dir, 'tls.crt'), 'utf8'),
      keyPem: readFileSync(join(dir, 'tls.key'), 'utf8'),
      hosts: [...hosts],
    };
    cache.set(key, pair);
    return pair;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A `kubernetes.io/tls` Secret holding a self-signed certificate for `hosts`. */
export function selfSignedTlsSecret(namespace: string, name: string, hosts: readonly string[]): KubeObject {
  const { certPem, keyPem } = selfSignedCertificate(hosts);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(certPem).toString('base64'),
      'tls.key': Buffer.from(keyPem).toString('base64'),
    },
  };
}
