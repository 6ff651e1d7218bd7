import * as z from 'zod/mini';
import { MIN_BEARER_TOKEN_LENGTH } from '#events/bearer-token.js';
import { clusterId } from '#events/extensions.js';

const ingestConfig = z.object({
  signingKeys: z._default(
    z.array(z.object({ cluster: clusterId, secret: z.string().check(z.minLength(32)) })),
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
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('PORTICO_INGEST_CONFIG is not JSON');
  }
  const parsed = ingestConfig.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`PORTICO_INGEST_CONFIG.${issue.path.join('.')}: ${issue.code}`);
  }
  if (parsed.data.signingKeys.length === 0 && parsed.data.bearerTokens.length === 0) {
    throw new Error('PORTICO_INGEST_CONFIG: configure signingKeys or bearerTokens');
  }
  return parsed.data;
}
