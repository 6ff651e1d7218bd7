import type { RequestedAddress } from '#core/ir/load-balancer.js';
import type { Service } from '#core/model/service.js';
import { formatIp, isIpv4Mapped, parseIp } from '../ip-address.js';
import type { Problem } from './problem.js';

export type RequestedAddressesResult =
  | { ok: true; addresses: RequestedAddress[] }
  | { ok: false; problem: Problem };

/**
 * `spec.loadBalancerIP` (deprecated upstream, still widely used): the one address asked for. An
 * invalid one stops the Service (its load balancer is held as it was) instead of being dropped: users
 * point DNS at the address they asked for, and a load balancer on some other address would look
 * programmed while serving nobody.
 */
export function requestedAddresses(service: Service): RequestedAddressesResult {
  const raw = service.spec.loadBalancerIP?.trim();
  if (!raw) return { ok: true, addresses: [] };
  const ip = parseIp(raw);
  if (!ip || isIpv4Mapped(ip)) {
    return {
      ok: false,
      problem: {
        severity: 'error',
        code: 'InvalidLoadBalancerIP',
        field: 'spec.loadBalancerIP',
        message: `spec.loadBalancerIP: ${JSON.stringify(raw.slice(0, 64))} is not an IPv4 or IPv6 address`,
      },
    };
  }
  return { ok: true, addresses: [{ type: 'IPAddress', value: formatIp(ip) }] };
}
