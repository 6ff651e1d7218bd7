import { type KeyResult, reconcileKey, statusesAfter } from '#adapters/reconcile-key.js';
import { supportedFeaturesOf } from '#adapters/supported-features.js';
import type { AnyKinds, AnyLoadBalancerAdapter } from '#adapters/types.js';
import type { LbKey, LoadBalancer } from '#core/ir/load-balancer.js';
import { ReadCache } from '#core/model/read-cache.js';
import { isEmptyPlan } from '#core/plan/plan-summary.js';
import { renderPlan } from '#core/plan/render-plan.js';
import type { Plan } from '#core/plan/types.js';
import { applyProgrammedStates, type ProgrammedState } from '#core/status/programmed.js';
import { routeStatusId, routesLeftOut } from '#core/status/provider-notices.js';
import type { ObjectStatus } from '#core/status/types.js';
import { IncrementalTranslate } from '#core/translate/incremental-translate.js';
import type { Notice } from '#core/translate/notice.js';
import type { TranslateOptions } from '#core/translate/options.js';
import { ObjectChanges } from './object-changes.js';

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
  /** Load balancers observed, planned and applied by this sync (the others were not touched). */
  reconciled: LbKey[];
}

/** What the last reconcile of a key left to say in statuses. */
type KeyEffect =
  /** Its provider spoke (reconciled, provider unavailable): applied as statusesAfter does. */
  | { lb: LoadBalancer | undefined; outcome: KeyResult; notices: Notice[] }
  /** Held or failed: the state it keeps reporting. */
  | { carried: ProgrammedState; notices: Notice[] };

/**
 * The whole pipeline in one process, for `portico dev` and the conformance runner: objects in,
 * translate, reconcile load balancers (and delete those that are gone, or left on a provider they
 * moved away from), statuses out. Each key goes through reconcileKey, as in the reconcile function,
 * wired without queues or store.
 *
 * Incremental: each sync finds what changed since the last one (ObjectChanges), translates again
 * only the keys those changes affect (IncrementalTranslate, core/index), and reconciles only those
 * (plus keys whose last reconcile failed). Other keys are neither observed nor planned nor
 * applied, and their statuses stay as they were. A sync with nothing changed does nothing.
 * Syncs never overlap: a sync asked for while one runs is folded into one more run after it.
 */
export class LocalPipeline {
  readonly #options: LocalPipelineOptions;
  readonly #translation: IncrementalTranslate;
  readonly #changes = new ObjectChanges();
  /** Per key, what its last reconcile said (for the statuses of the objects it decides). */
  readonly #effects = new Map<LbKey, KeyEffect>();
  /** Keys whose last reconcile failed: reconciled again by the next sync. */
  readonly #retry = new Set<LbKey>();
  /** Final statuses per translated status, while the effects of its keys are the same. */
  #finals = new WeakMap<ObjectStatus, { effects: (KeyEffect | undefined)[]; status: ObjectStatus }>();
  /** Per provider's notices, the routes they leave out. */
  readonly #leftOutIds = new WeakMap<readonly unknown[], Set<string>>();
  #last: SyncResult = { statuses: [], notices: [], loadBalancers: [], changed: [], reconciled: [] };
  #latest: readonly unknown[] = [];
  #resync = false;
  #queued: Promise<SyncResult> | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: LocalPipelineOptions) {
    this.#options = options;
    // GatewayClasses advertise what their provider's adapter can do (status.supportedFeatures).
    this.#translation = new IncrementalTranslate(
      { supportedFeatures: supportedFeaturesOf(options.adapters), ...options.translateOptions },
      new ReadCache(),
    );
  }

  get last(): SyncResult {
    return this.#last;
  }

  /**
   * Reconciles towards exactly these objects (level-triggered: the full set, every time). A call made
   * while a sync runs joins the next one, which uses the latest objects given. `resync` reconciles
   * every key, not only the changed ones: what drifted in the provider (a hand edit) is put back.
   */
  sync(
    objects: readonly unknown[],
    signal: AbortSignal = new AbortController().signal,
    options: { resync?: boolean } = {},
  ): Promise<SyncResult> {
    this.#latest = objects;
    if (options.resync) this.#resync = true;
    if (!this.#queued) {
      this.#queued = this.#tail.then(() => {
        this.#queued = undefined;
        const resync = this.#resync;
        this.#resync = false;
        return this.#syncNow(this.#latest, signal, resync);
      });
      this.#tail = this.#queued.catch(() => undefined);
    }
    return this.#queued;
  }

  async #syncNow(objects: readonly unknown[], signal: AbortSignal, resync: boolean): Promise<SyncResult> {
    const { changes, unidentified } = this.#changes.diff(objects);
    const translated = this.#translation.apply(changes);
    const reported = this.#translation.setUnidentified(unidentified);
    // A resync visits every key, changed or not: what drifted in the provider is put back.
    const everyKey = resync ? [...this.#translation.keys(), ...this.#effects.keys()] : [];
    const keys = [...new Set([...translated, ...this.#retry, ...everyKey])].sort();
    if (changes.length === 0 && keys.length === 0 && !reported) {
      // Nothing changed: the same statuses, notices and load balancers, nothing reconciled. (A change
      // that affects no key may still change statuses: a GatewayClass, a route whose parent is missing.)
      this.#last = { ...this.#last, changed: [], reconciled: [] };
      return this.#last;
    }
    this.#retry.clear();
    const changed: LbKey[] = [];
    for (const key of keys) {
      const entry = this.#translation.get(key);
      const lb = entry?.lb;
      try {
        const outcome = await reconcileKey({
          key,
          lb,
          heldReason: entry?.held?.reason,
          adapters: this.#options.adapters,
          allowDeletes: true, // local mode always has the whole picture
          // A resync reads what the provider runs in full (adapters may answer a change from a record).
          ...(resync ? { readBack: 'full' as const } : {}),
          signal,
        });
        switch (outcome.outcome) {
          case 'held': {
            // Left exactly as it is; keep reporting what it last was.
            this.#emit({ type: 'held', key, reason: outcome.reason });
            const previous = this.#stateOf(key);
            if (previous) this.#effects.set(key, { carried: previous, notices: [] });
            else this.#effects.delete(key);
            break;
          }
          case 'provider-unavailable':
            this.#effects.set(key, { lb, outcome, notices: [] });
            break;
          case 'reconciled':
            this.#effects.set(key, { lb, outcome, notices: outcome.notices });
            break;
          case 'deleted':
          case 'left-alone':
            this.#effects.delete(key);
            break;
        }
        if ('plans' in outcome) {
          const plans = outcome.plans.filter(({ plan }) => !isEmptyPlan(plan) || plan.conflicts.length > 0);
          if (plans.length > 0) changed.push(key);
          for (const { plan } of plans) this.#emit(planEvent(key, plan));
        }
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.#emit({ type: 'error', key, message });
        const failed = { key, programmed: false, addresses: this.#stateOf(key)?.addresses ?? [], message };
        this.#effects.set(key, { carried: failed, notices: [] });
        // Until it is known to be gone, the key is visited again: the next sync retries it.
        this.#retry.add(key);
      }
    }
    const result = this.#translation.result;
    const notices: Notice[] = [...result.notices];
    for (const [, effect] of [...this.#effects].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      notices.push(...effect.notices);
    this.#last = {
      statuses: result.statuses.map((s) => this.#finalStatus(s)),
      notices,
      loadBalancers: result.loadBalancers,
      changed,
      reconciled: keys,
    };
    return this.#last;
  }

  /** A translated status after what the providers of its keys said (as statusesAfter, key by key). */
  #finalStatus(translated: ObjectStatus): ObjectStatus {
    // A route's status changes only where a provider left the route out (applyProviderNotices;
    // programmed states are its Gateways'): a Gateway's thousands of routes cost a lookup each.
    if ('parents' in translated.status && !this.#leftOut(translated)) return translated;
    const effects = translated.loadBalancers.map((k) => this.#effects.get(k));
    const cached = this.#finals.get(translated);
    if (cached?.effects.every((e, i) => e === effects[i])) return cached.status;
    let status = translated;
    for (const effect of effects) {
      if (!effect) continue;
      status =
        'carried' in effect
          ? applyProgrammedStates([status], new Map([[effect.carried.key, effect.carried]]))[0]!
          : statusesAfter([status], effect.lb, effect.outcome)[0]!;
    }
    this.#finals.set(translated, { effects, status });
    return status;
  }

  /** Whether a provider of one of the route's keys left the route out (see routesLeftOut). */
  #leftOut(route: ObjectStatus): boolean {
    let id: string | undefined;
    for (const key of route.loadBalancers) {
      const effect = this.#effects.get(key);
      if (!effect || !('outcome' in effect) || effect.outcome.outcome !== 'reconciled') continue;
      const notices = effect.outcome.notices;
      if (notices.length === 0) continue;
      let ids = this.#leftOutIds.get(notices);
      if (!ids) {
        ids = routesLeftOut(notices);
        this.#leftOutIds.set(notices, ids);
      }
      id ??= routeStatusId(route);
      if (ids.has(id)) return true;
    }
    return false;
  }

  /** The programmed state a key last reported, if any. */
  #stateOf(key: LbKey): ProgrammedState | undefined {
    const effect = this.#effects.get(key);
    if (!effect) return undefined;
    if ('carried' in effect) return effect.carried;
    return 'state' in effect.outcome ? effect.outcome.state : undefined;
  }

  #emit(event: PipelineEvent): void {
    this.#options.onEvent?.(event);
  }
}

/**
 * A plan event whose text is written when first read: a route change on a Gateway of 5,000 routes
 * plans its whole route map, and formatting that for a listener that does not print it was a tenth
 * of the sync.
 */
function planEvent(key: LbKey, plan: Plan<AnyKinds>): PipelineEvent {
  let text: string | undefined;
  return {
    type: 'plan',
    key,
    get text() {
      text ??= renderPlan(plan);
      return text;
    },
  };
}
