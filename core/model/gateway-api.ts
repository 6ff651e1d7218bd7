import { z } from 'zod';
import { condition, labelName, labelSelector, objectMeta, objectName } from './meta.js';

// Typed subsets of the Gateway API (v1 standard channel, plus TLSRoute/TCPRoute/UDPRoute from v1alpha2),
// holding what the translator reads. Unknown fields are kept (loose objects) so that status writes
// never drop what another controller or a newer API version put there.

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** Hostnames in Gateway API: a DNS name, optionally with a single leading `*.` label. No IPs, no ports. */
export const hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a DNS name, optionally prefixed by "*."',
  );
const port = z.number().int().min(1).max(65535);
const group = z.string().max(253);
const kind = z.string().min(1).max(63);

export const parentReference = z.looseObject({
  group: group.optional(),
  kind: kind.optional(),
  namespace: labelName.optional(),
  name: objectName,
  sectionName: labelName.optional(),
  port: port.optional(),
});
export type ParentReference = z.infer<typeof parentReference>;

export const backendRef = z.looseObject({
  group: group.optional(),
  kind: kind.optional(),
  name: objectName,
  namespace: labelName.optional(),
  port: port.optional(),
  weight: z.number().int().min(0).max(1_000_000).optional(),
});
export type BackendRef = z.infer<typeof backendRef>;

export const secretObjectReference = z.looseObject({
  group: group.optional(),
  kind: kind.optional(),
  name: objectName,
  namespace: labelName.optional(),
});
export type SecretObjectReference = z.infer<typeof secretObjectReference>;

/** A reference to an object of any kind, e.g. a CA bundle (`caCertificateRefs`). */
export const objectReference = z.looseObject({
  group: group.optional(),
  kind: kind.optional(),
  name: objectName,
  namespace: labelName.optional(),
});

/** Client-certificate validation of a Gateway's TLS listeners (`spec.tls.frontend`). */
const frontendTlsConfig = z.looseObject({
  validation: z
    .looseObject({
      caCertificateRefs: z.array(objectReference).min(1).max(8),
      mode: z.enum(['AllowValidOnly', 'AllowInsecureFallback']).optional(),
    })
    .optional(),
});
export type FrontendTlsConfig = z.infer<typeof frontendTlsConfig>;

// ---- GatewayClass -------------------------------------------------------------------------------

export const gatewayClass = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('GatewayClass'),
  metadata: objectMeta,
  spec: z.looseObject({
    controllerName: z.string().min(1).max(253),
    parametersRef: z
      .looseObject({ group: group, kind: kind, name: objectName, namespace: labelName.optional() })
      .optional(),
    description: z.string().max(64).optional(),
  }),
  status: z.looseObject({ conditions: z.array(condition).optional() }).optional(),
});
export type GatewayClass = z.infer<typeof gatewayClass>;

// ---- Gateway ------------------------------------------------------------------------------------

export const listenerProtocol = z.string().min(1).max(255);

export const listener = z.looseObject({
  name: labelName,
  hostname: hostname.optional(),
  port: port,
  protocol: listenerProtocol,
  tls: z
    .looseObject({
      mode: z.enum(['Terminate', 'Passthrough']).optional(),
      certificateRefs: z.array(secretObjectReference).max(64).optional(),
      options: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  allowedRoutes: z
    .looseObject({
      namespaces: z
        .looseObject({
          from: z.enum(['All', 'Same', 'Selector']).optional(),
          selector: labelSelector.optional(),
        })
        .optional(),
      kinds: z
        .array(z.looseObject({ group: group.optional(), kind: kind }))
        .max(8)
        .optional(),
    })
    .optional(),
});
export type Listener = z.infer<typeof listener>;

export const gateway = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('Gateway'),
  metadata: objectMeta,
  spec: z.looseObject({
    gatewayClassName: objectName,
    listeners: z.array(listener).min(1).max(64),
    addresses: z
      .array(z.looseObject({ type: z.string().optional(), value: z.string().min(1).max(253) }))
      .max(16)
      .optional(),
    tls: z
      .looseObject({
        /** The client certificate the Gateway shows to backends it speaks TLS to. */
        backend: z.looseObject({ clientCertificateRef: secretObjectReference.optional() }).optional(),
        /** Client-certificate validation of HTTPS listeners: a default, and overrides per port. */
        frontend: z
          .looseObject({
            default: frontendTlsConfig,
            perPort: z
              .array(z.looseObject({ port: port, tls: frontendTlsConfig }))
              .max(64)
              .optional(),
          })
          .optional(),
      })
      .optional(),
    /** Which namespaces' ListenerSets may add listeners to this Gateway; absent = none. */
    allowedListeners: z
      .looseObject({
        namespaces: z
          .looseObject({
            from: z.enum(['All', 'Same', 'None', 'Selector']).optional(),
            selector: labelSelector.optional(),
          })
          .optional(),
      })
      .optional(),
    /** Gateway-level parameters (GEP-1867): a LoadBalancerParameters in the Gateway's namespace. */
    infrastructure: z
      .looseObject({
        parametersRef: z.looseObject({ group: group, kind: kind, name: objectName }).optional(),
      })
      .optional(),
  }),
  status: z.looseObject({}).optional(),
});
export type Gateway = z.infer<typeof gateway>;

// ---- ListenerSet (v1, standard since v1.5) ------------------------------------------------------

export const listenerSet = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('ListenerSet'),
  metadata: objectMeta,
  spec: z.looseObject({
    parentRef: z.looseObject({
      group: group.optional(),
      kind: kind.optional(),
      name: objectName,
      namespace: labelName.optional(),
    }),
    listeners: z.array(listener).min(1).max(64),
  }),
  status: z.looseObject({}).optional(),
});
export type ListenerSet = z.infer<typeof listenerSet>;

// ---- HTTPRoute ----------------------------------------------------------------------------------

export const httpHeaderName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/, 'must be an HTTP header name (RFC 7230 token)');
const headerValue = z.string().max(4096);

export const httpPathMatch = z.looseObject({
  type: z.enum(['Exact', 'PathPrefix', 'RegularExpression']).optional(),
  value: z.string().max(1024).optional(),
});
export const httpHeaderMatch = z.looseObject({
  type: z.enum(['Exact', 'RegularExpression']).optional(),
  name: httpHeaderName,
  value: headerValue,
});
export const httpQueryParamMatch = z.looseObject({
  type: z.enum(['Exact', 'RegularExpression']).optional(),
  name: z.string().min(1).max(256),
  value: z.string().max(1024),
});
export const httpRouteMatch = z.looseObject({
  path: httpPathMatch.optional(),
  headers: z.array(httpHeaderMatch).max(16).optional(),
  queryParams: z.array(httpQueryParamMatch).max(16).optional(),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']).optional(),
});
export type HTTPRouteMatch = z.infer<typeof httpRouteMatch>;

const headerModifier = z.looseObject({
  set: z
    .array(z.looseObject({ name: httpHeaderName, value: headerValue }))
    .max(16)
    .optional(),
  add: z
    .array(z.looseObject({ name: httpHeaderName, value: headerValue }))
    .max(16)
    .optional(),
  remove: z.array(httpHeaderName).max(16).optional(),
});
export type HeaderModifier = z.infer<typeof headerModifier>;

const pathModifier = z.looseObject({
  type: z.enum(['ReplaceFullPath', 'ReplacePrefixMatch']),
  replaceFullPath: z.string().max(1024).optional(),
  replacePrefixMatch: z.string().max(1024).optional(),
});

export const httpRouteFilter = z.looseObject({
  type: z.string().min(1).max(64),
  requestHeaderModifier: headerModifier.optional(),
  responseHeaderModifier: headerModifier.optional(),
  requestRedirect: z
    .looseObject({
      scheme: z.enum(['http', 'https']).optional(),
      hostname: z.string().max(253).optional(),
      path: pathModifier.optional(),
      port: port.optional(),
      statusCode: z.number().int().optional(),
    })
    .optional(),
  urlRewrite: z
    .looseObject({ hostname: z.string().max(253).optional(), path: pathModifier.optional() })
    .optional(),
  requestMirror: z
    .looseObject({
      backendRef: backendRef,
      percent: z.number().int().min(0).max(100).optional(),
      fraction: z
        .looseObject({ numerator: z.number().int().min(0), denominator: z.number().int().min(1).optional() })
        .optional(),
    })
    .optional(),
  cors: z
    .looseObject({
      allowOrigins: z.array(z.string().min(1).max(253)).max(64).optional(),
      allowCredentials: z.boolean().optional(),
      allowMethods: z.array(z.string().min(1).max(32)).max(9).optional(),
      allowHeaders: z.array(z.string().min(1).max(256)).max(64).optional(),
      exposeHeaders: z.array(z.string().min(1).max(256)).max(64).optional(),
      maxAge: z.number().int().min(1).max(2_147_483_647).optional(),
    })
    .optional(),
  extensionRef: z.looseObject({ group: group, kind: kind, name: objectName }).optional(),
});
export type HTTPRouteFilter = z.infer<typeof httpRouteFilter>;

export const httpBackendRef = backendRef.extend({ filters: z.array(httpRouteFilter).max(16).optional() });
export type HTTPBackendRef = z.infer<typeof httpBackendRef>;

/** Gateway API durations: `1h`, `500ms`, `1h30m`... (GEP-2257). */
export const duration = z
  .string()
  .regex(/^([0-9]{1,5}(h|m|s|ms)){1,4}$/, 'must be a Gateway API duration such as "10s" or "500ms"');

export const httpRouteRule = z.looseObject({
  name: labelName.optional(),
  matches: z.array(httpRouteMatch).max(64).optional(),
  filters: z.array(httpRouteFilter).max(16).optional(),
  backendRefs: z.array(httpBackendRef).max(16).optional(),
  timeouts: z.looseObject({ request: duration.optional(), backendRequest: duration.optional() }).optional(),
  retry: z
    .looseObject({
      codes: z.array(z.number().int().min(400).max(599)).max(16).optional(),
      attempts: z.number().int().min(0).max(1000).optional(),
      backoff: duration.optional(),
    })
    .optional(),
});
export type HTTPRouteRule = z.infer<typeof httpRouteRule>;

const routeStatus = z.looseObject({
  parents: z
    .array(
      z.looseObject({
        parentRef: parentReference,
        controllerName: z.string(),
        conditions: z.array(condition).optional(),
      }),
    )
    .optional(),
});

export const httpRoute = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('HTTPRoute'),
  metadata: objectMeta,
  spec: z.looseObject({
    parentRefs: z.array(parentReference).max(32).optional(),
    hostnames: z.array(hostname).max(16).optional(),
    rules: z.array(httpRouteRule).max(16).optional(),
  }),
  status: routeStatus.optional(),
});
export type HTTPRoute = z.infer<typeof httpRoute>;

// ---- GRPCRoute ----------------------------------------------------------------------------------

export const grpcRouteMatch = z.looseObject({
  method: z
    .looseObject({
      type: z.enum(['Exact', 'RegularExpression']).optional(),
      service: z.string().max(1024).optional(),
      method: z.string().max(1024).optional(),
    })
    .optional(),
  headers: z.array(httpHeaderMatch).max(16).optional(),
});
export type GRPCRouteMatch = z.infer<typeof grpcRouteMatch>;

export const grpcRoute = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('GRPCRoute'),
  metadata: objectMeta,
  spec: z.looseObject({
    parentRefs: z.array(parentReference).max(32).optional(),
    hostnames: z.array(hostname).max(16).optional(),
    rules: z
      .array(
        z.looseObject({
          name: labelName.optional(),
          matches: z.array(grpcRouteMatch).max(64).optional(),
          filters: z.array(httpRouteFilter).max(16).optional(),
          backendRefs: z.array(httpBackendRef).max(16).optional(),
        }),
      )
      .max(16)
      .optional(),
  }),
  status: routeStatus.optional(),
});
export type GRPCRoute = z.infer<typeof grpcRoute>;

// ---- TLSRoute, TCPRoute, UDPRoute (v1alpha2) -----------------------------------------------------

const l4Rule = z.looseObject({
  name: labelName.optional(),
  backendRefs: z.array(backendRef).max(16).optional(),
});

export const tlsRoute = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('TLSRoute'),
  metadata: objectMeta,
  spec: z.looseObject({
    parentRefs: z.array(parentReference).max(32).optional(),
    hostnames: z.array(hostname).max(16).optional(),
    rules: z.array(l4Rule).min(1).max(16),
  }),
  status: routeStatus.optional(),
});
export type TLSRoute = z.infer<typeof tlsRoute>;

export const tcpRoute = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('TCPRoute'),
  metadata: objectMeta,
  spec: z.looseObject({
    parentRefs: z.array(parentReference).max(32).optional(),
    rules: z.array(l4Rule).min(1).max(16),
  }),
  status: routeStatus.optional(),
});
export type TCPRoute = z.infer<typeof tcpRoute>;

export const udpRoute = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('UDPRoute'),
  metadata: objectMeta,
  spec: z.looseObject({
    parentRefs: z.array(parentReference).max(32).optional(),
    rules: z.array(l4Rule).min(1).max(16),
  }),
  status: routeStatus.optional(),
});
export type UDPRoute = z.infer<typeof udpRoute>;

export type AnyRoute = HTTPRoute | GRPCRoute | TLSRoute | TCPRoute | UDPRoute;
export type RouteKind = AnyRoute['kind'];

// ---- ReferenceGrant (v1beta1) -------------------------------------------------------------------

export const referenceGrant = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('ReferenceGrant'),
  metadata: objectMeta,
  spec: z.looseObject({
    from: z
      .array(z.looseObject({ group: group, kind: kind, namespace: labelName }))
      .min(1)
      .max(16),
    to: z
      .array(z.looseObject({ group: group, kind: kind, name: objectName.optional() }))
      .min(1)
      .max(16),
  }),
});
export type ReferenceGrant = z.infer<typeof referenceGrant>;
