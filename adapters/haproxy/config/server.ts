// One server slot, rendered two ways from the same ServerSpec: as a config `server` line (reloads)
// and as runtime API commands (endpoint churn). Keeping one source of truth means a reload never
// undoes what the runtime API did, and the other way round.

import type { BackendModel, DesiredEndpoint, EndpointState } from '../model.js';
import { identifier, integer, ipLiteral } from './escape.js';

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
  /** A backup slot: serves only while no primary server of the backend is up. */
  backup?: true;
}

/** Primary slots are `s1`, `s2`...; backup slots `b1`, `b2`... (the runtime API tells them apart by name). */
export const serverName = (slot: number, backup = false) => `${backup ? 'b' : 's'}${slot + 1}`;

export function serverSpec(
  backend: BackendModel,
  slot: number,
  endpoint: DesiredEndpoint | null,
  backup = false,
): ServerSpec {
  return {
    backend: backend.name,
    name: serverName(slot, backup),
    ...(backup ? { backup: true as const } : {}),
    address: endpoint?.address ?? PLACEHOLDER.address,
    port: endpoint?.port ?? PLACEHOLDER.port,
    weight: endpoint?.weight ?? 1,
    state: endpoint?.state ?? 'maint',
    options: backend.serverOptions,
  };
}

/**
 * `server s3 10.0.0.7:8080 weight 1 check ... [backup] [disabled]`. A draining endpoint is written with weight 0 (the
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
    ...(spec.backup ? ['backup'] : []),
    ...(spec.state === 'maint' ? ['disabled'] : []),
  ].join(' ');
}
