/** The environment a deployed function is wired from (`process.env`, or a test's record). */
export type Env = Readonly<Record<string, string | undefined>>;

/** The value of `name`; throws `<name> is not set` when it is missing or empty. */
export function requiredEnv(env: Env, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** The AWS region (`AWS_REGION`, set by Lambda, else `AWS_DEFAULT_REGION`); throws when neither is set. */
export function regionOf(env: Env): string {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('AWS_REGION is not set');
  return region;
}

/**
 * How long a container keeps the ingest config (signing keys) before reading it again. Here, not in
 * shared/ingest-config.ts, so that the handlers can name it without loading the config module at import.
 */
export const INGEST_CONFIG_REFRESH_MS = 5 * 60_000;
