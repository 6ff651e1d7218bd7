// One load-balancer key, reconciled the same way everywhere: by the reconcile function (from the
// stored snapshot) and by the local pipeline (`portico dev`, the conformance runner). Each caller
// only translates, then records what the outcome says (status records, fingerprints, dev state).

import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import type { Plan } from '#core/plan/types.js';
import { applyProgrammedStates, type ProgrammedState } from '#core/status/programmed.js';
import { applyProviderNotices } from '#core/status/provider-notices.js';
import type { ObjectStatus } from '#core/status/types.js';
import { type ReconcileOutcome, reconcileLoadBalancer } from './reconcile.js';
import { type AdapterNotice, type AnyKinds, type AnyLoadBalancerAdapter, RetryableError } from './types.js';

export interface ReconcileKeyInput {
  key: LbKey;
  /** The key's load balancer as translate made it; absent when it should no longer exist. */
  lb: LoadBalancer | undefined;
  /** Why translate holds the key (an invalid Gateway...), if it does: it is neither updated nor deleted. */
  heldReason?: string | undefined;
  /** Adapters by provider name (the `provider` translate gives each load balancer). */
  adapters: Readonly<Record<string, AnyLoadBalancerAdapter>>;
  /**
   * Whether anything may be deleted: resources a load balancer no longer wants, a load balancer
   * that should no longer exist, a load balancer left on the provider it moved away from. False
   * while the cluster's snapshot is incomplete.
   */
  allowDeletes: boolean;
  signal: AbortSignal;
  /** Passed to every observe (ObserveOptions.readBack): resync's full read. */
  readBack?: 'full' | undefined;
}

/** A plan one provider ran for the key. */
export interface ProviderPlan {
  provider: string;
  plan: Plan<AnyKinds>;
}

export type KeyResult =
  /** Held by translate: left exactly as it is. */
  | { outcome: 'held'; key: LbKey; reason: string }
  /** Should no longer exist, but deletes are not allowed: left exactly as it is. */
  | { outcome: 'left-alone'; key: LbKey }
  /** Its provider has no adapter here: nothing is programmed, the state says why. */
  | { outcome: 'provider-unavailable'; key: LbKey; provider: string; state: ProgrammedState }
  | {
      outcome: 'reconciled';
      key: LbKey;
      provider: string;
      /** The adapter's own name (notices name it). */
      adapterName: string;
      notices: AdapterNotice[];
      state: ProgrammedState;
      /** Its provider's plan first, then the removals from the providers it is no longer on. */
      plans: ProviderPlan[];
      /** Deletes left out because deletes are not allowed: the job is not finished. */
      deletesWithheld: number;
    }
  /** Removed from every provider (confirmed by complete observes). */
  | { outcome: 'deleted'; key: LbKey; plans: ProviderPlan[] };

/**
 * Deletes the key needed could not be confirmed: a provider's observe was incomplete (throttled,
 * a page failed), so what it did not see may still exist. Retryable: the next attempt observes
 * again; after the last one the message is dead-lettered and resync comes back to the key.
 */
export class DeleteUnconfirmedError extends RetryableError {
  override readonly name: string = 'DeleteUnconfirmedError';
  constructor(
    readonly key: LbKey,
    readonly providers: readonly string[],
  ) {
    super(
      `${key}: could not confirm the deletes on ${providers.join(', ')}: the provider could not be read in full (will retry)`,
    );
  }
}

/**
 * Reconciles one key with every provider: a held key is left alone; a load balancer is programmed on
 * its provider and removed from every other one (it may have moved: a GatewayClass changed); a key
 * that should no longer exist is removed from every provider. Throws a DeleteUnconfirmedError when a
 * delete was due but an observe was incomplete (never a success that leaks), after the work that
 * could be done was done. Other errors of the adapters propagate.
 */
export async function reconcileKey(input: ReconcileKeyInput): Promise<KeyResult> {
  const { key, lb, adapters, allowDeletes, signal } = input;
  const readBack = input.readBack ? { readBack: input.readBack } : {};
  if (input.heldReason !== undefined) return { outcome: 'held', key, reason: input.heldReason };
  if (!lb && !allowDeletes) return { outcome: 'left-alone', key };

  const adapter = lb ? adapters[lb.provider] : undefined;
  if (lb && !adapter) {
    const state = {
      key,
      programmed: false,
      addresses: [],
      message: `provider ${lb.provider} is not available here`,
    };
    return { outcome: 'provider-unavailable', key, provider: lb.provider, state };
  }

  const plans: ProviderPlan[] = [];
  const unconfirmed: string[] = [];
  let main: ReconcileOutcome<AnyKinds> | undefined;
  if (lb && adapter) {
    main = await reconcileLoadBalancer({ key, lb, adapter, signal, allowDeletes, ...readBack });
    plans.push({ provider: lb.provider, plan: main.plan });
    if (allowDeletes && !main.observeComplete && main.deletesWithheld > 0) unconfirmed.push(lb.provider);
  }
  if (allowDeletes) {
    for (const [provider, other] of Object.entries(adapters)) {
      // The same adapter may serve under two provider names: it already got the load balancer.
      if (lb && (provider === lb.provider || other === adapter)) continue;
      signal.throwIfAborted();
      const removal = await reconcileLoadBalancer({
        key,
        lb: undefined,
        adapter: other,
        signal,
        ...readBack,
      });
      plans.push({ provider, plan: removal.plan });
      // Nothing seen through an incomplete observe is not nothing left.
      if (!removal.observeComplete) unconfirmed.push(provider);
    }
  }
  if (unconfirmed.length > 0) throw new DeleteUnconfirmedError(key, unconfirmed);
  if (!lb || !main || !adapter) return { outcome: 'deleted', key, plans };
  return {
    outcome: 'reconciled',
    key,
    provider: lb.provider,
    adapterName: adapter.name,
    notices: main.notices,
    state: {
      key,
      programmed: main.status.programmed,
      addresses: main.status.addresses,
      ...(main.status.message ? { message: main.status.message } : {}),
    },
    plans,
    deletesWithheld: main.deletesWithheld,
  };
}

/**
 * `statuses` after what the provider said about the key: the routes and listeners it left out
 * (notices), and Programmed with the addresses it answers on. Other keys' objects are unchanged.
 */
export function statusesAfter(
  statuses: readonly ObjectStatus[],
  lb: LoadBalancer | undefined,
  result: KeyResult,
): ObjectStatus[] {
  if (result.outcome === 'provider-unavailable')
    return applyProgrammedStates(statuses, new Map([[result.key, result.state]]));
  if (result.outcome !== 'reconciled' || !lb) return [...statuses];
  const withNotices = applyProviderNotices(statuses, lb, result.adapterName, result.notices);
  return applyProgrammedStates(withNotices, new Map([[result.key, result.state]]));
}
