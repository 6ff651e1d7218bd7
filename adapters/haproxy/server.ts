// One server slot, rendered two ways from the same ServerSpec: as a config `server` line (reloads)
// and as runtime API commands (endpoint churn). Keeping one source of truth means a reload never
// undoes what the runtime API did, and the other way round.

import { identifier, integer, ipLiteral, runtimeArg } from './escape.js';
import type { BackendModel, DesiredEndpoint, EndpointState } from './model.js';

/** Where a free slot points: never reached, since free slots are in maintenance. */
export const PLACEHOLDER = { address: '127.0.0.1', port: 1 } as const;

export interface ServerSpec {
  backend: string;
  name: string;
  address: string;
  port: number;
  weight: number;
  state: EndpointState;
  /** Health check and transport options shared by every slot of the backend. */
  options: string[];
}

export const serverName = (slot: number) => `s${slot + 1}`;

export function serverSpec(
  backend: BackendModel,
  slot: number,
  endpoint: DesiredEndpoint | null,
): ServerSpec {
  return {
    backend: backend.name,
    name: serverName(slot),
    address: endpoint?.address ?? PLACEHOLDER.address,
    port: endpoint?.port ?? PLACEHOLDER.port,
    weight: endpoint?.weight ?? 1,
    state: endpoint?.state ?? 'maint',
    options: backend.serverOptions,
  };
}

/**
 * `server s3 10.0.0.7:8080 weight 1 check ...`. A draining endpoint is written with weight 0 (the
 * config has no drain state: a fresh process has no connections to keep); a free slot is `disabled`.
 */
export function renderServerLine(spec: ServerSpec): string {
  const ip = ipLiteral(spec.address);
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const weight = spec.state === 'drain' ? 0 : spec.weight;
  return [
    'server',
    identifier(spec.name),
    `${host}:${integer(spec.port, 1, 65535, 'port')}`,
    'weight',
    integer(weight, 0, 256, 'weight'),
    ...spec.options,
    ...(spec.state === 'maint' ? ['disabled'] : []),
  ].join(' ');
}

/**
 * Runtime API commands that take the slot from `before` (what HAProxy has) to `after`, in the order
 * that never leaves a ready server pointing at the wrong address: maint → addr → weight → ready/drain
 * (haproxytech #825). Empty when nothing changes. Join with runtimeBatch to send them together.
 */
export function renderServerCommands(before: ServerSpec | undefined, after: ServerSpec): string[] {
  const target = `${runtimeArg(identifier(after.backend))}/${runtimeArg(identifier(after.name))}`;
  const set = (...args: string[]) => `set server ${target} ${args.map(runtimeArg).join(' ')}`;
  const addr = () => set('addr', ipLiteral(after.address), 'port', integer(after.port, 1, 65535, 'port'));
  const moved = !before || before.address !== after.address || before.port !== after.port;
  const wasLive = before !== undefined && before.state !== 'maint';
  const out: string[] = [];
  if (after.state === 'maint') {
    if (!before || wasLive) out.push(set('state', 'maint'));
    if (moved) out.push(addr());
    return out;
  }
  if (moved) {
    if (!before || wasLive) out.push(set('state', 'maint'));
    out.push(addr());
  }
  if (moved || before?.weight !== after.weight)
    out.push(set('weight', integer(after.weight, 0, 256, 'weight')));
  if (moved || before?.state !== after.state) out.push(set('state', after.state));
  return out;
}

/** One CLI line: commands separated by `;` (each argument already escaped by runtimeArg). */
export function runtimeBatch(commands: readonly string[]): string {
  for (const c of commands) if (/[\r\n]/.test(c)) throw new Error('runtime command with a newline');
  return commands.join(';');
}
