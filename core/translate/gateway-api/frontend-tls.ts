import type { ClientValidation } from '#core/ir/load-balancer.js';
import { type FrontendTlsConfig, GATEWAY_GROUP, type Gateway } from '#core/model/gateway-api.js';
import { condition, setCondition } from '#core/status/conditions.js';
import { readCaBundle } from '../ca-bundle.js';
import type { TranslateContext } from '../context.js';
import type { ListenerState } from './listeners.js';

type Resolved =
  | { validation: ClientValidation; problems: { reason: string; message: string }[] }
  | { validation?: undefined; problems: { reason: string; message: string }[] };

/** The listener reason for each CA reference problem (GEP-91). */
const LISTENER_REASON: Record<string, string> = {
  InvalidKind: 'InvalidCACertificateKind',
  RefNotPermitted: 'RefNotPermitted',
  InvalidCACertificateRef: 'InvalidCACertificateRef',
};

/**
 * Gateway `spec.tls.frontend` (GEP-91): every HTTPS listener (the Gateway's and its ListenerSets') asks
 * clients for a certificate as configured for its port (`perPort`, else `default`). CA bundles that
 * cannot be read set the listener's `ResolvedRefs=False`; with none left the listener is not accepted
 * (`NoValidCACertificate`), since serving it unchecked would be more open than asked. Returns whether
 * some listener admits clients without a valid certificate (`AllowInsecureFallback`).
 */
export function applyFrontendValidation(
  ctx: TranslateContext,
  gateway: Gateway,
  listeners: readonly ListenerState[],
): { insecure: boolean } {
  const frontend = gateway.spec.tls?.frontend;
  if (!frontend) return { insecure: false };
  const byPort = new Map<number, Resolved>();
  let insecure = false;
  for (const l of listeners) {
    if (l.protocol !== 'HTTPS' || !l.usable) continue;
    const port = l.spec.port;
    let resolved = byPort.get(port);
    if (!resolved) {
      const config = frontend.perPort?.find((p) => p.port === port)?.tls ?? frontend.default;
      resolved = resolve(ctx, gateway, config);
      byPort.set(port, resolved);
    }
    const generation = l.owner.generation;
    const first = resolved.problems[0];
    if (first)
      setCondition(
        l.status.conditions,
        condition(
          'ResolvedRefs',
          false,
          first.reason,
          resolved.problems.map((p) => p.message).join('; '),
          generation,
        ),
      );
    if (resolved.validation) {
      l.clientValidation = resolved.validation;
      if (resolved.validation.mode === 'AllowInsecureFallback') insecure = true;
    } else if (first) {
      l.usable = false;
      setCondition(
        l.status.conditions,
        condition(
          'Accepted',
          false,
          'NoValidCACertificate',
          'No CA certificate for client validation could be read',
          generation,
        ),
      );
      setCondition(
        l.status.conditions,
        condition('Programmed', false, 'Invalid', 'The listener is not valid', generation),
      );
    }
  }
  return { insecure };
}

function resolve(ctx: TranslateContext, gateway: Gateway, config: FrontendTlsConfig): Resolved {
  const validation = config.validation;
  if (!validation) return { problems: [] };
  const from = { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gateway.metadata.namespace! };
  const pems: string[] = [];
  const sources: string[] = [];
  const problems: { reason: string; message: string }[] = [];
  for (const ref of validation.caCertificateRefs) {
    const bundle = readCaBundle(ctx, from, ref);
    if (bundle.ok) {
      pems.push(bundle.pem);
      sources.push(bundle.source);
    } else problems.push({ reason: LISTENER_REASON[bundle.reason]!, message: bundle.message });
  }
  if (pems.length === 0) return { problems };
  return {
    validation: { mode: validation.mode ?? 'AllowValidOnly', caCertificatesPem: pems.join(''), sources },
    problems,
  };
}
