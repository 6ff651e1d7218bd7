// Forwarding rules: the entry points, and the only load-balancing resources with labels. Found by
// their lb-key label (observe's roots); changed in place with setTarget and setLabels only.

import { InvalidConfigError } from '../../types.js';
import { pick, regionOf } from '../internal/api-values.js';
import { type ApplyContext, scopeOf, touched, type UpdateOf } from '../internal/apply-context.js';
import type { Json } from '../internal/calls.js';
import { mutateResource } from '../internal/collections.js';
import { mutate } from '../internal/operations.js';
import type { ForwardingRuleValue } from '../model.js';

export function forwardingRuleFromApi(api: Json): ForwardingRuleValue {
  return {
    ...(pick(api, [
      'name',
      'description',
      'loadBalancingScheme',
      'IPProtocol',
      'portRange',
      'ports',
      'IPAddress',
      'target',
      'backendService',
      'network',
      'subnetwork',
      'fingerprint',
      'labelFingerprint',
    ]) as unknown as ForwardingRuleValue),
    ...regionOf(api),
    // GCP may echo IPV4 for a rule created without ipVersion: only IPV6 is a difference.
    ...(api.ipVersion === 'IPV6' ? { ipVersion: 'IPV6' as const } : {}),
    labels: (pick(api, ['labels']).labels as Record<string, string> | undefined) ?? {},
  };
}

export async function updateForwardingRule(ac: ApplyContext, c: UpdateOf<'forwarding-rule'>): Promise<void> {
  const { name } = c.after;
  const scope = scopeOf(c.after);
  const rest = (c.changedPaths ?? []).filter(
    (p) => !touched({ changedPaths: [p] }, 'target') && !touched({ changedPaths: [p] }, 'labels'),
  );
  if (rest.length > 0)
    throw new InvalidConfigError(`${c.address}: ${rest.join(', ')} cannot change in place`, c.address);
  if (touched(c, 'target'))
    await mutateResource(ac.calls, 'forwarding-rule', name, scope, 'setTarget', {
      targetReferenceResource: { target: c.after.target },
    });
  if (touched(c, 'labels')) {
    const body = { labels: c.after.labels, labelFingerprint: c.before.labelFingerprint };
    // setLabels names the rule `resource`, and its body differs between the global and regional services.
    if (scope.region !== undefined)
      await mutate(ac.calls, 'forwardingRules', 'setLabels', {
        region: scope.region,
        resource: name,
        regionSetLabelsRequestResource: body,
      });
    else
      await mutate(ac.calls, 'globalForwardingRules', 'setLabels', {
        resource: name,
        globalSetLabelsRequestResource: body,
      });
  }
}
