// What every per-kind apply step shares within one apply: the SDK calls, ownership, and the ARNs
// known so far (observed ids, then what this apply created), resolved by name when not known. Nothing
// outlives the apply: the next observe finds everything again by name.

import {
  DescribeListenersCommand,
  type DescribeListenersOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseAddress } from '#core/plan/address.js';
import type { Change } from '#core/plan/types.js';
import { ConflictError, NotOwnedError } from '../../types.js';
import type { CaBundleStore } from '../ca-bundle-store.js';
import { type Elbv2Kind, type Elbv2Kinds, elbv2Address, type Tags } from '../model.js';
import { loadBalancerByName } from '../resources/load-balancers.js';
import { targetGroupByName } from '../resources/target-groups.js';
import { trustStoreByName } from '../resources/trust-stores.js';
import { type Elbv2Calls, send } from './sdk.js';
import { describeTags } from './tags.js';

export interface ApplyContext {
  readonly calls: Elbv2Calls;
  /** Where trust stores' CA bundles are uploaded; absent when the adapter was set up without one. */
  readonly caBundles: CaBundleStore | undefined;
  /** Carries this load balancer's ownership tags. */
  owned(tags: Tags): boolean;
  /** The ARN of a load balancer, listener or target group address, looked up by name when not known yet. */
  resolve(address: string): Promise<string>;
  /** Records the ARN of a resource this apply created or adopted. */
  found(address: string, arn: string): void;
  /**
   * Creates a named resource; when the name is taken, adopts the resource only if it carries this
   * load balancer's tags (an earlier apply created it and stopped before it was observed).
   */
  createOrAdopt(
    address: string,
    create: () => Promise<string | undefined>,
    lookup: () => Promise<string | undefined>,
  ): Promise<string>;
}

export function applyContext(
  calls: Elbv2Calls,
  owned: (tags: Tags) => boolean,
  changes: readonly Change<Elbv2Kinds>[],
  caBundles?: CaBundleStore,
): ApplyContext {
  const arns = new Map<string, string>();
  for (const c of changes)
    if ((c.action === 'noop' || c.action === 'update') && c.id !== undefined) arns.set(c.address, c.id);

  const resolve = async (address: string): Promise<string> => {
    const known = arns.get(address);
    if (known) return known;
    const { kind, name, sub: port } = parseAddress(address);
    let arn: string | undefined;
    if (kind === 'load-balancer') arn = (await loadBalancerByName(calls, name))?.LoadBalancerArn;
    else if (kind === 'target-group') arn = (await targetGroupByName(calls, name))?.TargetGroupArn;
    else if (kind === 'trust-store') arn = (await trustStoreByName(calls, name))?.TrustStoreArn;
    else if (kind === 'listener') {
      const lbArn = await resolve(elbv2Address('load-balancer', name));
      const r = await send<DescribeListenersOutput>(
        calls,
        new DescribeListenersCommand({ LoadBalancerArn: lbArn }),
      );
      arn = r.Listeners?.find((l) => String(l.Port) === port)?.ListenerArn;
    }
    if (!arn) throw new ConflictError(`${address} does not exist (yet)`, address);
    arns.set(address, arn);
    return arn;
  };
  const found = (address: string, arn: string) => {
    arns.set(address, arn);
  };
  return {
    calls,
    caBundles,
    owned,
    resolve,
    found,
    async createOrAdopt(address, create, lookup) {
      let arn: string | undefined;
      try {
        arn = await create();
      } catch (err) {
        if (!(err instanceof ConflictError) || !/Duplicate/.test(err.message)) throw err;
        arn = await lookup();
        if (!arn) throw new ConflictError(`${address}: name taken, resource not found`, address);
        const t = (await describeTags(calls, [arn])).get(arn) ?? {};
        if (!owned(t)) throw new NotOwnedError(address);
      }
      if (!arn) throw new ConflictError(`${address}: no ARN returned`, address);
      found(address, arn);
      return arn;
    },
  };
}

/** A change of one kind that apply builds: a create, an update, or the new half of a replace. */
export type BuildChange<Kind extends Elbv2Kind> = Extract<
  Change<Elbv2Kinds>,
  { kind: Kind; action: 'create' | 'update' | 'replace' }
>;

/** A change of one kind that apply removes: a delete, or the old half of a replace. */
export type LeavingChange<Kind extends Elbv2Kind> = Extract<
  Change<Elbv2Kinds>,
  { kind: Kind; action: 'delete' | 'replace' }
>;
