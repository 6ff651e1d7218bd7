// Health checks: a type and its one matching sub-object, port or serving-port specification, a request
// path that starts with /, and timings GCP accepts (timeout not above the interval).

import { invalid } from '../errors.js';
import { int, obj, oneOf, str } from '../fields.js';
import type { Json } from '../store.js';

const SUB_OBJECTS = {
  HTTP: 'httpHealthCheck',
  HTTPS: 'httpsHealthCheck',
  HTTP2: 'http2HealthCheck',
  TCP: 'tcpHealthCheck',
  SSL: 'sslHealthCheck',
  GRPC: 'grpcHealthCheck',
} as const;
const TYPES = Object.keys(SUB_OBJECTS) as (keyof typeof SUB_OBJECTS)[];
const PORT_SPECS = ['USE_FIXED_PORT', 'USE_NAMED_PORT', 'USE_SERVING_PORT'] as const;

export function prepareHealthCheck(body: Json): Json {
  const hc = structuredClone(body);
  const type = oneOf('resource.type', hc.type, TYPES);
  if (!type) throw invalid('resource.type', 'a health check needs a type');
  const key = SUB_OBJECTS[type];
  for (const other of Object.values(SUB_OBJECTS))
    if (other !== key && hc[other] !== undefined)
      throw invalid(`resource.${other}`, `a ${type} health check takes ${key} only`);
  const sub = structuredClone(obj(`resource.${key}`, hc[key]) ?? {});
  const f = `resource.${key}`;
  const spec = oneOf(`${f}.portSpecification`, sub.portSpecification, PORT_SPECS);
  const port = int(`${f}.port`, sub.port, 1, 65535);
  if (spec === 'USE_SERVING_PORT' && port !== undefined)
    throw invalid(`${f}.port`, 'a port cannot be set with USE_SERVING_PORT');
  const path = str(`${f}.requestPath`, sub.requestPath, { min: 1, max: 1024 });
  if (path !== undefined && !path.startsWith('/'))
    throw invalid(`${f}.requestPath`, `'${path}' must start with /`);
  str(`${f}.host`, sub.host, { max: 2048 });
  const defaultPort = type === 'HTTPS' || type === 'SSL' ? 443 : 80;
  hc[key] = {
    ...sub,
    ...(spec === 'USE_SERVING_PORT' ? {} : { port: port ?? defaultPort }),
    ...(spec ? { portSpecification: spec } : {}),
    ...(type === 'HTTP' || type === 'HTTPS' || type === 'HTTP2' ? { requestPath: path ?? '/' } : {}),
    proxyHeader: sub.proxyHeader ?? 'NONE',
  };
  const interval = int('resource.checkIntervalSec', hc.checkIntervalSec, 1, 300) ?? 5;
  const timeout = int('resource.timeoutSec', hc.timeoutSec, 1, 300) ?? 5;
  if (timeout > interval)
    throw invalid('resource.timeoutSec', 'timeoutSec cannot be greater than checkIntervalSec');
  return {
    ...hc,
    checkIntervalSec: interval,
    timeoutSec: timeout,
    healthyThreshold: int('resource.healthyThreshold', hc.healthyThreshold, 1, 10) ?? 2,
    unhealthyThreshold: int('resource.unhealthyThreshold', hc.unhealthyThreshold, 1, 10) ?? 2,
  };
}
