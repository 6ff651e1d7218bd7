// TLS listeners that mix passthrough and termination on one port (Gateway API TLSRouteModeMixed).
// The listener's TCP frontend routes by the ClientHello's SNI (config/tcp-frontend.ts): passthrough
// names go to their backends untouched; terminated names go to the backend `tlsterm_…`, whose one
// server is the internal frontend of the same name, bound on an abstract socket with `ssl crt-list`
// of the listener's certificates. That frontend routes the decrypted stream by `ssl_fc_sni` to the
// route's backend. PROXY v2 (`send-proxy-v2` → `accept-proxy`) carries the client's address across.
// Abstract sockets are per host, not per process, so the socket name hashes the HAProxy instance
// (its state directory) with the terminator's name: two instances never share one. A reload hands
// the bound socket to the new worker (`expose-fd listeners`), like every other listener.

import type * as ir from '#core/ir/load-balancer.js';
import { stableHash } from '#core/naming/hash.js';
import type { TlsTerminator } from '../model.js';
import { HELPER_BACKENDS } from '../naming.js';
import { clientValidationBindOptions } from './client-validation.js';
import { identifier } from './escape.js';

/** The mode a route of a TLS listener is served in. */
export function routeTlsMode(listener: ir.Listener, route: ir.Route): 'Terminate' | 'Passthrough' {
  return route.tlsMode ?? listener.tls?.mode ?? 'Passthrough';
}

/** Some routes pass through and others are terminated (the capability check's rule). */
export function mixesTlsModes(listener: ir.Listener): boolean {
  return (
    listener.protocol === 'TLS' &&
    listener.routes.some((r) => r.tlsMode !== undefined && r.tlsMode !== listener.tls?.mode)
  );
}

/** The listener needs its certificates: it terminates, or some of its routes do. */
export function terminatesTls(listener: ir.Listener): boolean {
  return (
    listener.tls?.mode === 'Terminate' ||
    (mixesTlsModes(listener) && listener.routes.some((r) => r.tlsMode === 'Terminate'))
  );
}

/** `abns@portico-<hash>`: only base32 characters, from the instance and a checked identifier. */
export function tlsTerminatorSocket(instance: string, name: string): string {
  return `abns@portico-${stableHash(['tls-terminator', instance, identifier(name)], 24)}`;
}

/** The internal frontend and the backend reaching it, as config sections (head line first). */
export function terminatorSections(t: TlsTerminator, instance: string): string[][] {
  const socket = tlsTerminatorSocket(instance, t.name);
  return [
    [
      `frontend ${identifier(t.name)}`,
      'mode tcp',
      `bind ${socket} accept-proxy ssl crt-list ${t.tls.crtList}${clientValidationBindOptions(t.tls.clientValidation)}`,
      ...t.rules,
      `default_backend ${HELPER_BACKENDS.tcpReject}`,
    ],
    [`backend ${identifier(t.name)}`, 'mode tcp', `server tls ${socket} send-proxy-v2`],
  ];
}
