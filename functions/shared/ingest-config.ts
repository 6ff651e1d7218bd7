import type { SSMClient } from '@aws-sdk/client-ssm';
import * as z from 'zod/mini';
import { MIN_BEARER_TOKEN_LENGTH } from '#events/bearer-token.js';
import { clusterId } from '#events/extensions.js';
import { type Env, regionOf } from '#functions/wiring/env.js';

const ingestConfig = z.object({
  signingKeys: z._default(
    z.array(z.object({ cluster: clusterId, secret: z.string().check(z.minLength(MIN_BEARER_TOKEN_LENGTH)) })),
    [],
  ),
  bearerTokens: z._default(
    z.array(
      z.object({
        cluster: clusterId,
        token: z.string().check(z.minLength(MIN_BEARER_TOKEN_LENGTH), z.regex(/^\S+$/)),
      }),
    ),
    [],
  ),
  toleranceSeconds: z._default(z.int().check(z.minimum(1), z.maximum(3600)), 300),
});

export type IngestConfig = z.infer<typeof ingestConfig>;

/**
 * Reads `PORTICO_INGEST_CONFIG` (JSON: `{ signingKeys: [{cluster, secret}], bearerTokens: [{cluster,
 * token}], toleranceSeconds }`). Throws a message naming the bad field, never echoing a secret.
 */
export function readIngestConfig(env: Readonly<Record<string, string | undefined>>): IngestConfig {
  const raw = env.PORTICO_INGEST_CONFIG;
  if (!raw) throw new Error('PORTICO_INGEST_CONFIG is not set');
  return parseIngestConfig(raw, 'PORTICO_INGEST_CONFIG');
}

/**
 * The ingest config of the deployed functions: when `PORTICO_INGEST_CONFIG_PARAMETER` names an SSM
 * parameter (a SecureString holding the same JSON as `PORTICO_INGEST_CONFIG`), it is read from SSM
 * (decrypted, reused by the container for a few minutes; `deps.ssm` or a client for `AWS_REGION`,
 * honouring `AWS_ENDPOINT_URL_SSM`); otherwise `PORTICO_INGEST_CONFIG` is read. Errors name the
 * parameter and the bad field, never a secret. The SSM client is only loaded when needed.
 */
export async function loadIngestConfig(
  env: Env,
  deps: { ssm?: SSMClient; signal?: AbortSignal } = {},
): Promise<IngestConfig> {
  const name = env.PORTICO_INGEST_CONFIG_PARAMETER;
  if (!name) return readIngestConfig(env);
  const { readParameter } = await import('#functions/wiring/ssm-parameter.js');
  let ssm = deps.ssm;
  if (!ssm) {
    const region = regionOf(env);
    const { SSMClient } = await import('#functions/wiring/ssm-client.js');
    ssm = new SSMClient({ region });
  }
  const raw = await readParameter(ssm, name, deps.signal ? { signal: deps.signal } : {});
  return parseIngestConfig(raw, `SSM parameter ${name}`);
}

/** Parses the config JSON; `source` names where it came from in errors (never the value). */
export function parseIngestConfig(raw: string, source: string): IngestConfig {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`${source} is not JSON`);
  }
  const parsed = ingestConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${source}.${issue.path.join('.')}: ${issue.code}`);
  }
  if (parsed.data.signingKeys.length === 0 && parsed.data.bearerTokens.length === 0) {
    throw new Error(`${source}: configure signingKeys or bearerTokens`);
  }
  return parsed.data;
}
