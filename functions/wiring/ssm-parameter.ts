import { GetParameterCommand, type GetParameterCommandOutput, type SSMClient } from '@aws-sdk/client-ssm';

export interface ReadParameterOptions {
  signal?: AbortSignal;
  /** How long a value read is reused by this container (default 5 minutes; 0 reads every time). */
  cacheMs?: number;
}

interface Cached {
  value: Promise<string>;
  expiresAt: number;
}

/** Per container: parameter name → value (or the read in flight, shared by concurrent callers). */
const cache = new Map<string, Cached>();

/** The parameter named does not exist (or is not visible to this role). */
export class ParameterNotFoundError extends Error {
  override readonly name = 'ParameterNotFoundError';
}

/**
 * Reads an SSM parameter (SecureStrings decrypted), reused by this container for `cacheMs`.
 * Errors name the parameter, never its value. A failed read is not cached.
 */
export async function readParameter(
  client: SSMClient,
  name: string,
  opts: ReadParameterOptions = {},
): Promise<string> {
  opts.signal?.throwIfAborted();
  const ttl = opts.cacheMs ?? 5 * 60_000;
  const now = Date.now();
  const hit = cache.get(name);
  if (hit && ttl > 0 && hit.expiresAt > now) return hit.value;

  const value = fetchParameter(client, name, opts.signal);
  if (ttl > 0) {
    const entry = { value, expiresAt: now + ttl };
    cache.set(name, entry);
    value.catch(() => {
      if (cache.get(name) === entry) cache.delete(name);
    });
  }
  return value;
}

/** Forgets every cached value (tests; a container that must re-read at once). */
export function clearParameterCache(): void {
  cache.clear();
}

async function fetchParameter(client: SSMClient, name: string, signal: AbortSignal | undefined) {
  let out: GetParameterCommandOutput;
  try {
    out = await client.send(
      new GetParameterCommand({ Name: name, WithDecryption: true }),
      signal ? { abortSignal: signal } : {},
    );
  } catch (error) {
    signal?.throwIfAborted();
    const code = (error as Error)?.name ?? 'Error';
    if (code === 'ParameterNotFound') {
      throw new ParameterNotFoundError(`SSM parameter ${name} does not exist`, { cause: error });
    }
    throw new Error(`SSM parameter ${name} could not be read: ${code}`, { cause: error });
  }
  const value = out.Parameter?.Value;
  if (value === undefined) throw new Error(`SSM parameter ${name} has no value`);
  return value;
}
