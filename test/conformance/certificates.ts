// Certificates for the objects the upstream suite creates in Go (conformance/utils/kubernetes/certificate.go):
// RSA 2048, valid one year; leaves have CN `default`, O `Acme Co`, KeyUsage digitalSignature +
// keyEncipherment and ExtKeyUsage serverAuth or clientAuth; CAs are self-signed (CN `gatewayapi`, IsCA,
// KeyUsage certSign + digitalSignature). Generated with the machine's `openssl`.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from './kube-object.js';

export interface CertificatePair {
  certPem: string;
  keyPem: string;
}

export interface LeafOptions {
  /** DNS (or IP) SANs, in order. */
  hosts?: readonly string[];
  /** URI SANs. */
  uris?: readonly string[];
  usage?: 'server' | 'client';
  /** Signing CA; absent = self-signed. */
  ca?: CertificatePair;
}

const selfSignedCache = new Map<string, CertificatePair>();

/** A self-signed server certificate for `hosts`, cached per host list for the process. */
export function selfSignedCertificate(hosts: readonly string[]): CertificatePair {
  const key = hosts.join(',');
  const hit = selfSignedCache.get(key);
  if (hit) return hit;
  const pair = leafCertificate({ hosts });
  selfSignedCache.set(key, pair);
  return pair;
}

/** A fresh self-signed CA. */
export function certificateAuthority(): CertificatePair {
  return withTempDir((dir) => {
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '365',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.crt'),
      '-subj',
      '/O=Acme Co/CN=gatewayapi',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,digitalSignature',
    ]);
    return {
      certPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
      keyPem: readFileSync(join(dir, 'ca.key'), 'utf8'),
    };
  });
}

/** A leaf certificate: self-signed, or signed by `options.ca`. */
export function leafCertificate(options: LeafOptions): CertificatePair {
  const sans = [
    ...(options.hosts ?? []).map((h) => (/^[0-9.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)),
    ...(options.uris ?? []).map((u) => `URI:${u}`),
  ];
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${options.usage === 'client' ? 'clientAuth' : 'serverAuth'}`,
    ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []),
  ];
  return withTempDir((dir) => {
    const keyFile = join(dir, 'tls.key');
    const crtFile = join(dir, 'tls.crt');
    const subject = '/O=Acme Co/CN=default';
    if (!options.ca) {
      openssl([
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-days',
        '365',
        '-keyout',
        keyFile,
        '-out',
        crtFile,
        '-subj',
        subject,
        ...extensions.flatMap((e) => ['-addext', e]),
      ]);
    } else {
      writeFileSync(join(dir, 'ca.crt'), options.ca.certPem);
      writeFileSync(join(dir, 'ca.key'), options.ca.keyPem);
      writeFileSync(join(dir, 'ext.cnf'), `${extensions.join('\n')}\n`);
      openssl([
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        join(dir, 'tls.csr'),
        '-subj',
        subject,
      ]);
      openssl([
        'x509',
        '-req',
        '-sha256',
        '-days',
        '365',
        '-in',
        join(dir, 'tls.csr'),
        '-CA',
        join(dir, 'ca.crt'),
        '-CAkey',
        join(dir, 'ca.key'),
        '-CAcreateserial',
        '-extfile',
        join(dir, 'ext.cnf'),
        '-out',
        crtFile,
      ]);
    }
    return { certPem: readFileSync(crtFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
  });
}

/** A `kubernetes.io/tls` Secret holding a certificate pair. */
export function tlsSecret(namespace: string, name: string, pair: CertificatePair): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(pair.certPem).toString('base64'),
      'tls.key': Buffer.from(pair.keyPem).toString('base64'),
    },
  };
}

/** A ConfigMap holding a CA bundle under `ca.crt`. */
export function caConfigMap(namespace: string, name: string, ca: CertificatePair): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { namespace, name },
    data: { 'ca.crt': ca.certPem },
  };
}

/** A `kubernetes.io/tls` Secret holding a self-signed certificate for `hosts`. */
export function selfSignedTlsSecret(namespace: string, name: string, hosts: readonly string[]): KubeObject {
  return tlsSecret(namespace, name, selfSignedCertificate(hosts));
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'portico-conformance-cert-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
