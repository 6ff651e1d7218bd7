import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import type { KindName } from '#core/model/bundle.js';
import { DEFAULT_OPTIONS } from '#core/translate/options.js';
import { MIN_BEARER_TOKEN_LENGTH } from '#events/bearer-token.js';
import { clusterId } from '#events/extensions.js';
import { isReadKind } from '#events/kinds.js';

/** What the forwarder is configured with (from the environment in the container, see {@link readForwarderConfig}). */
export interface ForwarderConfig {
  /** The HTTP API of the functions: events go to `<endpoint>/events`, status comes from `<endpoint>/status`. */
  endpoint: string;
  cluster: string;
  signingSecret: string;
  /** /healthz (0: any free port; undefined: no server). */
  httpPort: number;
  /** /metrics. */
  metricsPort: number;
  /** Forward `tls.key` of TLS Secrets (for adapters that terminate TLS themselves). */
  forwardPrivateKeys: boolean;
  /** Objects waiting to be sent, at most. */
  maxPending: number;
  /** How often status is pulled; 0 turns the status pull off. */
  statusPollMs: number;
  /** Status entries of routes with this controllerName are Portico's. */
  controllerName: string;
  /** A kubeconfig file; in-cluster service account credentials when absent. */
  kubeconfig?: string;
  /** Kinds to watch; every kind Portico reads when absent. */
  kinds?: KindName[];
  /** The pod admission webhook (HTTPS); off unless its certificate and key files are set. */
  webhook?: { port: number; certFile: string; keyFile: string };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const ENV = {
  endpoint: 'PORTICO_ENDPOINT',
  cluster: 'PORTICO_CLUSTER_ID',
  secret: 'PORTICO_SIGNING_SECRET',
  secretFile: 'PORTICO_SIGNING_SECRET_FILE',
  httpPort: 'PORTICO_HTTP_PORT',
  metricsPort: 'PORTICO_METRICS_PORT',
  forwardPrivateKeys: 'PORTICO_FORWARD_PRIVATE_KEYS',
  maxPending: 'PORTICO_MAX_PENDING',
  statusPollMs: 'PORTICO_STATUS_POLL_MS',
  controllerName: 'PORTICO_CONTROLLER_NAME',
  kinds: 'PORTICO_KINDS',
  webhookPort: 'PORTICO_WEBHOOK_PORT',
  webhookCertFile: 'PORTICO_WEBHOOK_CERT_FILE',
  webhookKeyFile: 'PORTICO_WEBHOOK_KEY_FILE',
  kubeconfig: 'KUBECONFIG',
} as const;

const port = z.int().check(z.minimum(0), z.maximum(65535));

/**
 * Reads the forwarder's configuration from environment variables. Every error names the variable
 * and what is wrong with it; the signing secret's value is never part of a message.
 */
export function readForwarderConfig(
  env: Readonly<Record<string, string | undefined>>,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): ForwarderConfig {
  const errors: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };

  const endpointRaw = get(ENV.endpoint);
  let endpoint = '';
  if (endpointRaw === undefined) errors.push(`${ENV.endpoint} is required (the functions' HTTP API URL)`);
  else {
    try {
      const url = new URL(endpointRaw);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
      if (url.search || url.hash) throw new Error('query');
      endpoint = url.toString().replace(/\/+$/, '');
    } catch {
      errors.push(`${ENV.endpoint} must be an http(s) URL without query, got ${JSON.stringify(endpointRaw)}`);
    }
  }

  const cluster = get(ENV.cluster);
  if (cluster === undefined) errors.push(`${ENV.cluster} is required`);
  else if (!clusterId.safeParse(cluster).success) {
    errors.push(`${ENV.cluster} must be an RFC 1123 label (lower-case letters, digits, -; ≤ 63)`);
  }

  let signingSecret = get(ENV.secret);
  const secretFile = get(ENV.secretFile);
  if (signingSecret !== undefined && secretFile !== undefined) {
    errors.push(`set only one of ${ENV.secret} and ${ENV.secretFile}`);
  } else if (secretFile !== undefined) {
    try {
      signingSecret = readFile(secretFile).trim();
    } catch (e) {
      errors.push(
        `${ENV.secretFile}: cannot read ${secretFile} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  if (signingSecret === undefined) {
    if (secretFile === undefined) errors.push(`${ENV.secret} (or ${ENV.secretFile}) is required`);
  } else if (signingSecret.length < MIN_BEARER_TOKEN_LENGTH) {
    errors.push(
      `${secretFile ? ENV.secretFile : ENV.secret}: the signing secret must be at least ${MIN_BEARER_TOKEN_LENGTH} characters`,
    );
  }

  const int = (name: string, fallback: number, schema: z.ZodMiniType<number>, what: string): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!schema.safeParse(n).success) {
      errors.push(`${name} must be ${what}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  };
  const httpPort = int(ENV.httpPort, 8080, port, 'a port number (0-65535)');
  const metricsPort = int(ENV.metricsPort, 9090, port, 'a port number (0-65535)');
  const maxPending = int(
    ENV.maxPending,
    50_000,
    z.int().check(z.minimum(100), z.maximum(10_000_000)),
    'an integer in 100..10000000',
  );
  const statusPollMs = int(
    ENV.statusPollMs,
    5_000,
    z.int().check(z.minimum(0), z.maximum(3_600_000)),
    'milliseconds in 0..3600000 (0 turns the status pull off)',
  );

  const bool = get(ENV.forwardPrivateKeys)?.toLowerCase();
  if (bool !== undefined && bool !== 'true' && bool !== 'false') {
    errors.push(`${ENV.forwardPrivateKeys} must be true or false`);
  }

  let kinds: KindName[] | undefined;
  const kindsRaw = get(ENV.kinds);
  if (kindsRaw !== undefined) {
    kinds = kindsRaw.split(',').map((k) => k.trim()) as KindName[];
    const bad = kinds.filter((k) => !isReadKind(k));
    if (bad.length) errors.push(`${ENV.kinds}: not kinds Portico reads: ${bad.join(', ')}`);
  }

  const webhookPort = int(ENV.webhookPort, 8443, port, 'a port number (0-65535)');
  const certFile = get(ENV.webhookCertFile);
  const keyFile = get(ENV.webhookKeyFile);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    errors.push(
      `set both ${ENV.webhookCertFile} and ${ENV.webhookKeyFile} (the webhook serves HTTPS only), or neither`,
    );
  }

  if (errors.length) throw new ConfigError(`forwarder configuration: ${errors.join('; ')}`);
  const kubeconfig = get(ENV.kubeconfig);
  return {
    endpoint,
    cluster: cluster!,
    signingSecret: signingSecret!,
    httpPort,
    metricsPort,
    forwardPrivateKeys: bool === 'true',
    maxPending,
    statusPollMs,
    controllerName: get(ENV.controllerName) ?? DEFAULT_OPTIONS.controllerName,
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(kinds ? { kinds } : {}),
    ...(certFile && keyFile ? { webhook: { port: webhookPort, certFile, keyFile } } : {}),
  };
}
