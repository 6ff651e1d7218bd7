import { reconcileKey, statusesAfter } from '#adapters/reconcile-key.js';
import { supportedFeaturesOf } from '#adapters/supported-features.js';
import type { AnyLoadBalancerAdapter } from '#adapters/types.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import { ReadCache } from '#core/model/read-cache.js';
import { isEmptyPlan } from '#core/plan/plan-summary.js';
import { renderPlan } from '#core/plan/render-plan.js';
import { applyProgrammedStates, type ProgrammedState } from '#core/status/programmed.js';
import type { ObjectStatus } from '#core/status/types.js';
import type { Notice } from '#core/translate/notice.js';
import type { TranslateOptions } from '#core/translate/options.js';
import { translate } from '#core/translate/translate.js';

export type PipelineEvent =
  | { type: 'plan'; key: LbKey; text: string }
  | { type: 'error'; key: LbKey; message: string }
  | { type: 'held'; key: LbKey; reason: string };

export interface LocalPipelineOptions {
  /** Adapters by provider name; load balancers of other providers are reported, not programmed. */
  adapters: Readonly<Record<string, AnyLoadBalancerAdapter>>;
  translateOptions?: Partial<TranslateOptions>;
  onEvent?: (event: PipelineEvent) => void;
}

export interface SyncResult {
  statuses: ObjectStatus[];
  notices: Notice[];
  loadBalancers: LoadBalancer[];
  /** Load balancers whose plan changed something. */
  changed: LbKey[];
}

/**
 * The whole pipeline in one process, for `portico dev` and the conformance runner: objects in,
 * translate, then reconcile every load balancer (and delete those that are gone, or left on a
 * provider they moved away from), statuses out. Each key goes through reconcileKey, as in the
 * reconcile function, wired without queues or store. Syncs never overlap: a sync asked for
 * while one runs is folded into one more run after it.
 */
export class LocalPipeline {
  readonly #options: LocalPipelineOptions;
  readonly #translateOptions: Partial<TranslateOptions>;
  readonly #cache = new ReadCache();
  /** Every load balancer programmed so far (or not known to be gone), to delete it when it goes away. */
  readonly #known = new Set<LbKey>();
  #states = new Map<LbKey, ProgrammedState>();
  #last: SyncResult = { statuses: [], notices: [], loadBalancers: [], changed: [] };
  #latest: readonly unknown[] = [];
  #queued: Promise<SyncResult> | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: LocalPipelineOptions) {
    this.#options = options;
    // GatewayClasses advertise what their provider's adapter can do (status.supportedFeatures).
    this.#translateOptions = {
      supportedFeatures: supportedFeaturesOf(options.adapters),
      ...options.translateOptions,
    };
  }

  get last(): SyncResult {
    return this.#last;
  }

  /**
   * Reconciles towards exactly these objects (level-triggered: the full set, every time). A call made
   * while a sync runs joins the next one, which uses the latest objects given.
   */
  sync(objects: readonly unknown[], signal: AbortSignal = new AbortController().signal): Promise<SyncResult> {
    this.#latest = objects;
    if (!this.#queued) {
      this.#queued = this.#tail.then(() => {
        this.#queued = undefined;
        return this.#syncNow(this.#latest, signal);
      });
      this.#tail = this.#queued.catch(() => undefined);
    }
    return this.#queued;
  }

  async #syncNow(objects: readonly unknown[], signal: AbortSignal): Promise<SyncResult> {
    const result = translate(objects, this.#translateOptions, this.#cache);
    const held = new Map(result.held.map((h) => [h.key, h.reason]));
    const desired = new Map(result.loadBalancers.map((lb) => [lb.key, lb]));
    const keys = [...new Set([...desired.keys(), ...this.#known])].sort();
    let statuses = result.statuses;
    const notices: Notice[] = [...result.notices];
    const changed: LbKey[] = [];
    const states = new Map<LbKey, ProgrammedState>();
    /** States statusesAfter did not apply: held keys keep their last one, failed keys say why. */
    const carried = new Map<LbKey, ProgrammedState>();

    for (const key of keys) {
      const lb = desired.get(key);
      try {
        const outcome = await reconcileKey({
          key,
          lb,
          heldReason: held.get(key),
          adapters: this.#options.adapters,
          allowDeletes: true, // local mode always has the whole picture
          signal,
        });
        statuses = statusesAfter(statuses, lb, outcome);
        switch (outcome.outcome) {
          case 'held': {
            // Left exactly as it is; keep reporting what it last was.
            this.#emit({ type: 'held', key, reason: outcome.reason });
            const previous = this.#states.get(key);
            if (previous) {
              states.set(key, previous);
              carried.set(key, previous);
            }
            break;
          }
          case 'provider-unavailable':
            states.set(key, outcome.state);
            break;
          case 'reconciled':
            notices.push(...outcome.notices);
            states.set(key, outcome.state);
            this.#known.add(key);
            break;
          case 'deleted':
          case 'left-alone':
            this.#known.delete(key);
            break;
        }
        if ('plans' in outcome) {
          const plans = outcome.plans.filter(({ plan }) => !isEmptyPlan(plan) || plan.conflicts.length > 0);
          if (plans.length > 0) changed.push(key);
          for (const { plan } of plans) this.#emit({ type: 'plan', key, text: renderPlan(plan) });
        }
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.#emit({ type: 'error', key, message });
        const failed = { key, programmed: false, addresses: this.#states.get(key)?.addresses ?? [], message };
        states.set(key, failed);
        carried.set(key, failed);
        // Until it is known to be gone, the key is visited again: the next sync retries it.
        this.#known.add(key);
      }
    }
    this.#states = states;
    this.#last = {
      statuses: applyProgrammedStates(statuses, carried),
      notices,
      loadBalancers: result.loadBalancers,
      changed,
    };
    return this.#last;
  }

  #emit(event: PipelineEvent): void {
    this.#options.onEvent?.(event);
  }
}
