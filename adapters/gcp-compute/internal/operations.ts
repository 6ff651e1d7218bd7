// Every Compute mutation is a long-running operation (global, regional or zonal, by its links). A
// mutation is awaited to completion with the operations' `wait` method (which answers when the
// operation is DONE or near a 2-minute deadline, so it is called in a loop), bounded and abortable:
// an operation that finishes with `error` throws (internal/errors.ts operationError).

import { RetryableError } from '../../types.js';
import { type GcpCalls, invoke, type Json } from './calls.js';
import type { ClientName } from './clients.js';
import { operationError } from './errors.js';

/** `wait` calls per operation before giving up (each blocks up to about two minutes on GCP). */
export const MAX_WAITS = 50;

interface Operation {
  name?: string | null;
  status?: string | number | null;
  zone?: string | null;
  region?: string | null;
  httpErrorStatusCode?: number | null;
  error?: { errors?: { code?: string | null; message?: string | null }[] | null } | null;
}

/** Sends one mutation and waits for its operation; throws if the operation ends in error. */
export async function mutate(
  ctx: GcpCalls,
  client: ClientName,
  method: string,
  request: Json,
): Promise<void> {
  const lro = await invoke<{ latestResponse?: Operation }>(ctx, client, method, request);
  const what = `${client}.${method}`;
  let op: Operation = lro.latestResponse ?? {};
  for (let waits = 0; op.status !== 'DONE'; waits++) {
    if (!op.name) throw new RetryableError(`${what}: the answer names no operation`);
    if (waits >= MAX_WAITS)
      throw new RetryableError(
        `${what}: operation ${op.name} is still ${String(op.status)} after ${MAX_WAITS} waits; the next reconcile observes its result`,
      );
    // `latestResponse.name` is the operation's name (the LRO's own `name` is its numeric id).
    const operation = op.name;
    if (op.zone)
      op = await invoke<Operation>(ctx, 'zoneOperations', 'wait', { zone: last(op.zone), operation });
    else if (op.region)
      op = await invoke<Operation>(ctx, 'regionOperations', 'wait', { region: last(op.region), operation });
    else op = await invoke<Operation>(ctx, 'globalOperations', 'wait', { operation });
  }
  if (op.error?.errors?.length) throw operationError(op, `${what} ${describeRequest(request)}`);
}

const last = (link: string) => link.split('/').pop() ?? link;

function describeRequest(request: Json): string {
  return Object.values(request)
    .filter((v) => typeof v === 'string')
    .join('/');
}
