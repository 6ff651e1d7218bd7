import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import type { AnyLoadBalancerAdapter } from '#adapters/types.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import { ReadCache } from '#core/model/read-cache.js';
import { isEmptyPlan } from '#core/plan/plan-summary.js';
import { renderPlan } from '#core/plan/render-plan.js';
import { applyProgrammedStates, type ProgrammedState } from '#core/status/programmed.js';
import { applyProviderNotices } from '#core/status/provider-notices.js';
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
 * translate, then reconcile every load balancer (and delete those that are gone), statuses out.
 * The same steps the functions run, wired without queues. Syncs never overlap: a sync asked for
 * while one runs is folded into one more run after it.
 */
export class LocalPipeline {
  readonly #options: LocalPipelineOptions;
  readonly #cache = new ReadCache();
  /** Provider of every load balancer programmed so far, to delete it when it goes away. */
  readonly #known = new Map<LbKey, string>();
  #states = new Map<LbKey, ProgrammedState>();
  #last: SyncResult = { statuses: [], notices: [], loadBalancers: [], changed: [] };
  #latest: readonly unknown[] = [];
  #queued: Promise<SyncResult> | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: LocalPipelineOptions) {
    this.#options = options;
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
    const result = translate(objects, this.#options.translateOptions, this.#cache);
    const held = new Map(result.held.map((h) => [h.key, h.reason]));
    const desired = new Map(result.loadBalancers.map((lb) => [lb.key, lb]));
    const keys = [...new Set([...desired.keys(), ...this.#known.keys()])].sort();
    let statuses = result.statuses;
    const notices: Notice[] = [...result.notices];
    const changed: LbKey[] = [];
    const states = new Map<LbKey, ProgrammedState>();

    for (const key of keys) {
      if (held.has(key)) {
        // Leave it exactly as it is; keep reporting what it last was.
        this.#emit({ type: 'held', key, reason: held.get(key)! });
        const previous = this.#states.get(key);
        if (previous) states.set(key, previous);
        continue;
      }
      const lb = desired.get(key);
      const provider = lb?.provider ?? this.#known.get(key)!;
      const adapter = this.#options.adapters[provider];
      if (!adapter) {
        states.set(key, {
          key,
          programmed: false,
          addresses: [],
          message: `provider ${provider} is not available here`,
        });
        continue;
      }
      try {
        const outcome = await reconcileLoadBalancer({ key, lb, adapter, signal });
        if (!isEmptyPlan(outcome.plan) || outcome.plan.conflicts.length > 0) {
          changed.push(key);
          this.#emit({ type: 'plan', key, text: renderPlan(outcome.plan) });
        }
        notices.push(...outcome.notices);
        if (lb) {
          statuses = applyProviderNotices(statuses, lb, adapter.name, outcome.notices);
          states.set(key, {
            key,
            programmed: outcome.status.programmed,
            addresses: outcome.status.addresses,
            ...(outcome.status.message ? { message: outcome.status.message } : {}),
          });
          this.#known.set(key, provider);
        } else if (outcome.deletesWithheld === 0) {
          this.#known.delete(key);
        }
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.#emit({ type: 'error', key, message });
        states.set(key, {
          key,
          programmed: false,
          addresses: this.#states.get(key)?.addresses ?? [],
          message,
        });
        if (lb) this.#known.set(key, provider);
      }
    }
    this.#states = states;
    this.#last = {
      statuses: applyProgrammedStates(statuses, states),
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
