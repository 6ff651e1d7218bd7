import type { IpFamily, RequestedAddress } from '#core/ir/load-balancer.js';
import type { Service } from '#core/model/service.js';
import type { Problem } from './problem.js';

export type IpFamiliesResult = { ok: true; ipFamilies: IpFamily[] } | { ok: false; problem: Problem };

/**
 * The families a Service's load balancer listens on: its `spec.ipFamilies` (the API server fills them
 * from `ipFamilyPolicy` and the cluster's families), in order, the first being the primary. Without
 * any (a hand-written object): IPv4, or both for RequireDualStack. A RequireDualStack Service naming
 * one family gets the other as well, as the API server would add it. Contradictions (and a
 * `loadBalancerIP` of another family) stop the Service:
 * a load balancer on the wrong family would look programmed while unreachable for its clients.
 */
export function serviceIpFamilies(
  service: Service,
  requested: readonly RequestedAddress[] = [],
): IpFamiliesResult {
  const { ipFamilies = [], ipFamilyPolicy } = service.spec;
  const fail = (message: string): IpFamiliesResult => ({
    ok: false,
    problem: { severity: 'error', code: 'InvalidIPFamilies', field: 'spec.ipFamilies', message },
  });
  if (new Set(ipFamilies).size !== ipFamilies.length)
    return fail(`spec.ipFamilies: ${ipFamilies.join(', ')} names a family twice`);
  if (ipFamilyPolicy === 'SingleStack' && ipFamilies.length > 1)
    return fail('spec.ipFamilies: a SingleStack Service has one family, not two');
  const families: IpFamily[] = ipFamilies.length > 0 ? [...ipFamilies] : ['IPv4'];
  if (ipFamilyPolicy === 'RequireDualStack' && families.length === 1)
    families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4');
  const foreign = requested.find((a) => !families.includes(a.value.includes(':') ? 'IPv6' : 'IPv4'));
  if (foreign)
    return fail(
      `spec.loadBalancerIP: ${foreign.value} is not of the Service's families (${families.join(', ')})`,
    );
  return { ok: true, ipFamilies: families };
}
