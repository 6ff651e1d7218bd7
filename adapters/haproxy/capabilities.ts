// What HAProxy 2.6 can express for Portico. UDP: 2.6 has no UDP proxying. RequestMirror: 2.6 has
// no native mirroring and SPOE-based mirroring is not used here, so it is declared unsupported.

import { EVERY_CAPABILITY } from '../capabilities.js';
import type { Capabilities } from '../types.js';

export const HAPROXY_CAPABILITIES: Capabilities = {
  ...EVERY_CAPABILITY,
  listenerProtocols: ['HTTP', 'HTTPS', 'TLS', 'TCP'],
  tlsPassthrough: true,
  checksNotReadyEndpoints: true,
  certificateSource: 'secret',
  filters: ['RequestHeaderModifier', 'ResponseHeaderModifier', 'URLRewrite', 'CORS'],
  poolProtocols: ['HTTP', 'HTTPS', 'H2C', 'GRPC', 'TCP', 'TLS'],
  sourceRanges: true,
  // The bind address comes from the operator's address pool; a requested IP is honoured when it is in the pool.
  requestedAddressTypes: ['IPAddress'],
  // Retries on connection errors and the statuses 2.6's retry-on knows (config/retry.ts); no backoff.
  retries: true,
  // Verified against serverName (the SNI sent); 2.6 cannot check other subjectAltNames while sending it.
  backendTls: { supported: true, systemTrust: true, subjectAltNames: false, clientCertificate: true },
  frontendClientValidation: ['AllowValidOnly', 'AllowInsecureFallback'],
  // A TCP frontend on the ClientHello SNI hands terminated names to an internal ssl frontend (config/tls-mixed.ts).
  tlsMixedModes: true,
  misdirectedRequests: true,
  // A Cloud Storage bucket is GCP's; HAProxy forwards to Service endpoints only.
  backendBuckets: false,
  // Binds one address per family from the address pool; other zones' endpoints as backup servers
  // when the adapter knows its zone (render warns otherwise).
  ipFamilies: 'dual-stack',
  topology: true,
};
