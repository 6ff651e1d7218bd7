// apply: executionSteps(plan) with the SDK. Ownership is re-checked (DescribeTags) before anything is
// updated or deleted; creates tolerate "already exists" by adopting the resource when it carries this
// load balancer's tags; rules are created at their priority when it is free (else parked above every
// priority in use) and put in order with ONE SetRulePriorities per listener. Safe to stop between any
// two calls: the next observe sees what was done and the plan resumes from there.

import {
  AddListenerCertificatesCommand,
  AddTagsCommand,
  CreateListenerCommand,
  type CreateListenerOutput,
  CreateLoadBalancerCommand,
  type CreateLoadBalancerOutput,
  CreateRuleCommand,
  type CreateRuleOutput,
  CreateTargetGroupCommand,
  type CreateTargetGroupOutput,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  type DescribeListenersOutput,
  DescribeRulesCommand,
  type DescribeRulesOutput,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  RemoveListenerCertificatesCommand,
  RemoveTagsCommand,
  SetIpAddressTypeCommand,
  SetRulePrioritiesCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LbKey } from '#core/ir/load-balancer.js';
import { parseAddress } from '#core/plan/address.js';
import { executionSteps, type Step } from '#core/plan/execution-steps.js';
import type { Change, Plan } from '#core/plan/types.js';
import { ConflictError, type LbStatus, NotOwnedError } from '../types.js';
import {
  type Elbv2Kinds,
  elbv2Address,
  type ListenerValue,
  type LoadBalancerValue,
  type RuleValue,
  type Tags,
  type Target,
  type TargetGroupValue,
  type TargetsValue,
} from './model.js';
import {
  describeTags,
  type Elbv2Memory,
  loadBalancerByName,
  ownedBy,
  remember,
  targetGroupByName,
} from './observe.js';
import { listenerAddress } from './render.js';
import { type Elbv2Calls, send, sendOrAbsent } from './sdk.js';
import { CONTENT_ID_TAG, healthCheckInput, toAwsAction, toAwsCondition, toAwsTags } from './wire.js';

/**
 * Attributes every new load balancer has (AWS ELBv2 docs, "Load balancer attributes"): CreateLoadBalancer
 * is not followed by a ModifyLoadBalancerAttributes (a Modify* call, throttled far harder) for these.
 */
const NEW_LOAD_BALANCER_ATTRIBUTES: Record<LoadBalancerValue['type'], Record<string, string>> = {
  application: { 'deletion_protection.enabled': 'false', 'idle_timeout.timeout_seconds': '60' },
  network: { 'deletion_protection.enabled': 'false' },
};

export interface ApplyOptions {
  key?: LbKey;
  cluster?: string;
  memory: Elbv2Memory;
}

type C = Change<Elbv2Kinds>;
type RuleChange = Extract<C, { kind: 'rule' }>;

export async function applyElbv2(
  ctx: Elbv2Calls,
  plan: Plan<Elbv2Kinds>,
  opts: ApplyOptions,
): Promise<LbStatus> {
  const key = plan.lbKey ?? opts.key ?? '';
  const owned = (tags: Tags) => ownedBy(tags, key, opts.cluster);
  const steps = executionSteps(plan);
  const arns = new Map<string, string>();
  for (const c of plan.changes)
    if ((c.action === 'noop' || c.action === 'update') && c.id !== undefined) arns.set(c.address, c.id);

  // Ownership, re-checked right before anything is modified.
  const toCheck = new Map<string, string>();
  for (const s of steps)
    if ((s.op === 'update' || s.op === 'delete') && s.change.id !== undefined)
      toCheck.set(s.change.id, s.change.address);
  if (toCheck.size > 0) {
    const tags = await describeTags(ctx, [...toCheck.keys()]);
    for (const [arn, address] of toCheck) {
      const t = tags.get(arn);
      if (t && !owned(t)) throw new NotOwnedError(address);
    }
  }

  const resolve = async (address: string): Promise<string> => {
    const known = arns.get(address) ?? opts.memory.arns.get(address);
    if (known) return known;
    const { kind, name, sub: port } = parseAddress(address);
    let arn: string | undefined;
    if (kind === 'load-balancer') arn = (await loadBalancerByName(ctx, name))?.LoadBalancerArn;
    else if (kind === 'target-group') arn = (await targetGroupByName(ctx, name))?.TargetGroupArn;
    else if (kind === 'listener') {
      const lbArn = await resolve(elbv2Address('load-balancer', name));
      const r = await send<DescribeListenersOutput>(
        ctx,
        new DescribeListenersCommand({ LoadBalancerArn: lbArn }),
      );
      arn = r.Listeners?.find((l) => String(l.Port) === port)?.ListenerArn;
    }
    if (!arn) throw new ConflictError(`${address} does not exist (yet)`, address);
    arns.set(address, arn);
    return arn;
  };
  const tgArn = (name: string) => resolve(elbv2Address('target-group', name));
  const found = (address: string, arn: string) => {
    arns.set(address, arn);
    opts.memory.arns.set(address, arn);
  };

  /** An "already exists" answer: adopt the resource if it is ours. */
  const adopt = async (address: string, arn: string | undefined): Promise<string> => {
    if (!arn) throw new ConflictError(`${address}: name taken, resource not found`, address);
    const t = (await describeTags(ctx, [arn])).get(arn) ?? {};
    if (!owned(t)) throw new NotOwnedError(address);
    return arn;
  };

  /** Creates a named resource; if the name is taken, adopts it only when it carries this key's tags. */
  const createOrAdopt = async (
    address: string,
    create: () => Promise<string | undefined>,
    lookup: () => Promise<string | undefined>,
  ): Promise<string> => {
    let arn: string | undefined;
    try {
      arn = await create();
    } catch (err) {
      if (!(err instanceof ConflictError) || !/Duplicate/.test(err.message)) throw err;
      arn = await adopt(address, await lookup());
    }
    if (!arn) throw new ConflictError(`${address}: no ARN returned`, address);
    found(address, arn);
    return arn;
  };

  const modifyAttributes = async (arn: string, attrs: [string, string][], address: string) => {
    if (attrs.length === 0) return;
    await send(
      ctx,
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: arn,
        Attributes: attrs.map(([Key, Value]) => ({ Key, Value })),
      }),
      address,
    );
  };

  const syncTags = async (arn: string, desired: Tags, before: Tags | undefined) => {
    const add = Object.entries(desired).filter(([k, v]) => before?.[k] !== v);
    const remove = Object.keys(before ?? {}).filter((k) => !(k in desired) && k !== CONTENT_ID_TAG);
    if (add.length > 0)
      await send(ctx, new AddTagsCommand({ ResourceArns: [arn], Tags: toAwsTags(Object.fromEntries(add)) }));
    if (remove.length > 0) await send(ctx, new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: remove }));
  };
  const touched = (c: C, field: string) =>
    (c.changedPaths ?? []).some((p) => p === field || p.startsWith(`${field}.`) || p.startsWith(`${field}[`));

  const deleted = new Set(plan.changes.filter((c) => c.action === 'delete').map((c) => c.address));

  async function createOrUpdate(s: Exclude<Step<Elbv2Kinds>, { op: 'delete' }>) {
    const c = s.change;
    switch (c.kind) {
      case 'load-balancer': {
        const v = c.after;
        if (c.action !== 'update') {
          const arn = await createOrAdopt(
            c.address,
            async () =>
              (
                await send<CreateLoadBalancerOutput>(
                  ctx,
                  new CreateLoadBalancerCommand({
                    Name: v.name,
                    Type: v.type,
                    Scheme: v.scheme,
                    IpAddressType: v.ipAddressType,
                    Subnets: v.subnets,
                    ...(v.securityGroups.length > 0 ? { SecurityGroups: v.securityGroups } : {}),
                    Tags: toAwsTags(v.tags),
                  }),
                  c.address,
                )
              ).LoadBalancers?.[0]?.LoadBalancerArn,
            async () => (await loadBalancerByName(ctx, v.name))?.LoadBalancerArn,
          );
          remember(opts.memory, key, 'loadBalancers', v.name);
          // A new load balancer already has AWS's defaults: send only the attributes that differ (the
          // next observe compares every attribute, so a default that is not what was expected is still fixed).
          const defaults = NEW_LOAD_BALANCER_ATTRIBUTES[v.type];
          const attrs = Object.entries(v.attributes).filter(([k, x]) => defaults[k] !== x);
          await modifyAttributes(arn, attrs, c.address);
          return;
        }
        const arn = await resolve(c.address);
        const before = c.before;
        if (touched(c, 'subnets'))
          await send(ctx, new SetSubnetsCommand({ LoadBalancerArn: arn, Subnets: v.subnets }), c.address);
        if (touched(c, 'securityGroups') && v.securityGroups.length > 0)
          await send(
            ctx,
            new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: v.securityGroups }),
            c.address,
          );
        if (touched(c, 'ipAddressType'))
          await send(
            ctx,
            new SetIpAddressTypeCommand({ LoadBalancerArn: arn, IpAddressType: v.ipAddressType }),
            c.address,
          );
        const attrs = Object.entries(v.attributes).filter(([k, x]) => before.attributes[k] !== x);
        await modifyAttributes(arn, attrs, c.address);
        if (touched(c, 'tags')) await syncTags(arn, v.tags, before.tags);
        return;
      }
      case 'target-group': {
        const v = c.after;
        if (c.action !== 'update') {
          await createOrAdopt(
            c.address,
            async () =>
              (
                await send<CreateTargetGroupOutput>(
                  ctx,
                  new CreateTargetGroupCommand({
                    Name: v.name,
                    Protocol: v.protocol,
                    ...(v.protocolVersion ? { ProtocolVersion: v.protocolVersion } : {}),
                    Port: v.port,
                    VpcId: v.vpcId,
                    TargetType: v.targetType,
                    IpAddressType: v.ipAddressType,
                    ...healthCheckInput(v.healthCheck),
                    Tags: toAwsTags(v.tags),
                  }),
                  c.address,
                )
              ).TargetGroups?.[0]?.TargetGroupArn,
            async () => (await targetGroupByName(ctx, v.name))?.TargetGroupArn,
          );
          remember(opts.memory, key, 'targetGroups', v.name);
          return;
        }
        const arn = await resolve(c.address);
        if (touched(c, 'healthCheck'))
          await send(
            ctx,
            new ModifyTargetGroupCommand({ TargetGroupArn: arn, ...healthCheckInput(v.healthCheck) }),
            c.address,
          );
        if (touched(c, 'tags')) await syncTags(arn, v.tags, c.before.tags);
        return;
      }
      case 'targets': {
        const v = c.after;
        const arn = await tgArn(v.targetGroup);
        const before = c.before?.targets ?? [];
        const id = (t: Target) => `${t.id}:${t.port}`;
        const had = new Set(before.map(id));
        const want = new Set(v.targets.map(id));
        const add = v.targets.filter((t) => !had.has(id(t)));
        const drop = before.filter((t) => !want.has(id(t)));
        const wire = (ts: Target[]) => ts.map((t) => ({ Id: t.id, Port: t.port }));
        if (add.length > 0)
          await send(ctx, new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: wire(add) }), c.address);
        if (drop.length > 0)
          await send(
            ctx,
            new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: wire(drop) }),
            c.address,
          );
        return;
      }
      case 'listener': {
        const v = c.after;
        const tgArns = new Map<string, string>();
        if (v.defaultAction.type === 'forward')
          for (const t of v.defaultAction.targetGroups) tgArns.set(t.name, await tgArn(t.name));
        const action = toAwsAction(v.defaultAction, (n) => tgArns.get(n) ?? '');
        const [firstCert, ...moreCerts] = v.certificateArns ?? [];
        const tls = {
          ...(v.sslPolicy !== undefined ? { SslPolicy: v.sslPolicy } : {}),
          ...(firstCert !== undefined ? { Certificates: [{ CertificateArn: firstCert }] } : {}),
        };
        let arn: string;
        let beforeCerts: string[] = [];
        if (c.action !== 'update') {
          const lbArn = await resolve(elbv2Address('load-balancer', v.loadBalancer));
          arn = await createOrAdopt(
            c.address,
            async () =>
              (
                await send<CreateListenerOutput>(
                  ctx,
                  new CreateListenerCommand({
                    LoadBalancerArn: lbArn,
                    Port: v.port,
                    Protocol: v.protocol,
                    ...tls,
                    DefaultActions: [action],
                    Tags: toAwsTags(v.tags),
                  }),
                  c.address,
                )
              ).Listeners?.[0]?.ListenerArn,
            async () =>
              (
                await send<DescribeListenersOutput>(
                  ctx,
                  new DescribeListenersCommand({ LoadBalancerArn: lbArn }),
                )
              ).Listeners?.find((l) => l.Port === v.port)?.ListenerArn,
          );
        } else {
          arn = await resolve(c.address);
          const before = c.before;
          beforeCerts = (before.certificateArns ?? []).slice(1);
          if ((c.changedPaths ?? []).some((p) => !p.startsWith('tags')))
            await send(
              ctx,
              new ModifyListenerCommand({
                ListenerArn: arn,
                Protocol: v.protocol,
                ...tls,
                DefaultActions: [action],
              }),
              c.address,
            );
          if (touched(c, 'tags')) await syncTags(arn, v.tags, before.tags);
        }
        const addCerts = moreCerts.filter((x) => !beforeCerts.includes(x));
        const removeCerts = beforeCerts.filter((x) => !moreCerts.includes(x) && x !== firstCert);
        if (addCerts.length > 0)
          await send(
            ctx,
            new AddListenerCertificatesCommand({
              ListenerArn: arn,
              Certificates: addCerts.map((CertificateArn) => ({ CertificateArn })),
            }),
            c.address,
          );
        if (removeCerts.length > 0)
          await send(
            ctx,
            new RemoveListenerCertificatesCommand({
              ListenerArn: arn,
              Certificates: removeCerts.map((CertificateArn) => ({ CertificateArn })),
            }),
            c.address,
          );
        return;
      }
      default:
        return;
    }
  }

  /** All rule creates, tag updates and priorities of one listener, once its target groups exist. */
  async function applyRules(listener: string, changes: RuleChange[]) {
    if (!changes.some((c) => c.action === 'create' || c.action === 'replace' || c.action === 'update'))
      return;
    const lArn = await resolve(listener);
    const current = new Map<string, number>();
    const r = await send<DescribeRulesOutput>(
      ctx,
      new DescribeRulesCommand({ ListenerArn: lArn, PageSize: 400 }),
    );
    for (const x of r.Rules ?? []) if (!x.IsDefault) current.set(x.RuleArn ?? '', Number(x.Priority));
    const desired = changes.flatMap((c) => (c.action === 'delete' ? [] : [c.after]));
    let park = Math.max(0, ...current.values(), ...desired.map((d) => d.priority)) + 1;
    const target = new Map<string, number>();
    for (const c of changes) {
      if (c.action === 'delete') continue;
      const v = c.after;
      if (c.action === 'create' || c.action === 'replace') {
        const inUse = new Set(current.values());
        const priority = inUse.has(v.priority) ? park++ : v.priority;
        const tgs = new Map<string, string>();
        for (const a of v.actions)
          if (a.type === 'forward') for (const t of a.targetGroups) tgs.set(t.name, await tgArn(t.name));
        const out = await send<CreateRuleOutput>(
          ctx,
          new CreateRuleCommand({
            ListenerArn: lArn,
            Priority: priority,
            Conditions: v.conditions.map(toAwsCondition),
            Actions: v.actions.map((a, i) => ({ ...toAwsAction(a, (n) => tgs.get(n) ?? ''), Order: i + 1 })),
            Tags: toAwsTags({ ...v.tags, [CONTENT_ID_TAG]: v.contentId }),
          }),
          c.address,
        );
        const arn = out.Rules?.[0]?.RuleArn ?? '';
        found(c.address, arn);
        current.set(arn, priority);
        target.set(arn, v.priority);
      } else {
        const arn = await resolve(c.address);
        if (c.action === 'update' && touched(c, 'tags')) await syncTags(arn, v.tags, c.before.tags);
        target.set(arn, v.priority);
      }
    }
    // Rules that stay but are not desired (deleted later): out of the way if they hold a wanted priority.
    const wanted = new Set(target.values());
    const leaving = new Set(changes.filter((c) => c.action === 'delete').map((c) => c.id));
    for (const [arn, p] of current) {
      if (target.has(arn) || !wanted.has(p)) continue;
      if (!leaving.has(arn))
        throw new ConflictError(
          `priority ${p} on ${listener} is held by a rule Portico does not own`,
          listener,
        );
      target.set(arn, park++);
    }
    const moves = [...target].filter(([arn, p]) => current.get(arn) !== p);
    if (moves.length > 0)
      await send(
        ctx,
        new SetRulePrioritiesCommand({
          RulePriorities: moves.map(([RuleArn, Priority]) => ({ RuleArn, Priority })),
        }),
        listener,
      );
  }

  async function remove(c: Extract<Step<Elbv2Kinds>, { op: 'delete' }>['change']) {
    const id = c.id;
    if (id === undefined) return;
    switch (c.kind) {
      case 'load-balancer':
        await send(ctx, new DeleteLoadBalancerCommand({ LoadBalancerArn: id }), c.address);
        opts.memory.loadBalancers.delete(c.before.name);
        break;
      case 'listener':
        await sendOrAbsent(ctx, new DeleteListenerCommand({ ListenerArn: id }), ['ListenerNotFound']);
        break;
      case 'rule':
        await sendOrAbsent(ctx, new DeleteRuleCommand({ RuleArn: id }), ['RuleNotFound']);
        break;
      case 'target-group':
        await sendOrAbsent(ctx, new DeleteTargetGroupCommand({ TargetGroupArn: id }), [
          'TargetGroupNotFound',
        ]);
        break;
      case 'targets': {
        const v = c.before;
        // The target group goes too: its targets go with it.
        if (deleted.has(elbv2Address('target-group', v.targetGroup)) || v.targets.length === 0) return;
        await sendOrAbsent(
          ctx,
          new DeregisterTargetsCommand({
            TargetGroupArn: id,
            Targets: v.targets.map((t) => ({ Id: t.id, Port: t.port })),
          }),
          ['TargetGroupNotFound'],
        );
        break;
      }
    }
    if (c.action === 'delete') opts.memory.arns.delete(c.address);
  }

  // Run: make room, build (rules last, per listener), clean up.
  const firstBuild = steps.findIndex((s) => s.op !== 'delete');
  const lastBuild = steps.findLastIndex((s) => s.op !== 'delete');
  const ruleGroups = new Map<string, RuleChange[]>();
  for (const c of plan.changes)
    if (c.kind === 'rule' && c.action !== 'delete') {
      const v = c.after;
      const l = listenerAddress(v.loadBalancer, v.listenerPort);
      ruleGroups.set(l, [...(ruleGroups.get(l) ?? []), c]);
    }
  for (const c of plan.changes)
    if (c.kind === 'rule' && c.action === 'delete') {
      const v = c.before;
      const l = listenerAddress(v.loadBalancer, v.listenerPort);
      if (ruleGroups.has(l)) ruleGroups.get(l)?.push(c);
    }
  const runRules = async () => {
    for (const [l, cs] of [...ruleGroups].sort(([a], [b]) => (a < b ? -1 : 1))) await applyRules(l, cs);
  };
  let rulesDone = false;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    if (s.op === 'delete') {
      if (!rulesDone && firstBuild >= 0 && i > lastBuild) {
        await runRules();
        rulesDone = true;
      }
      await remove(s.change);
    } else if (s.change.kind !== 'rule') await createOrUpdate(s);
  }
  if (!rulesDone) await runRules();
  return status(ctx, plan, key, opts.memory);
}

async function status(
  ctx: Elbv2Calls,
  plan: Plan<Elbv2Kinds>,
  key: LbKey,
  memory: Elbv2Memory,
): Promise<LbStatus> {
  const lb = plan.changes.find(
    (c): c is Extract<C, { kind: 'load-balancer'; after: LoadBalancerValue }> =>
      c.kind === 'load-balancer' && c.action !== 'delete',
  );
  const errors = plan.conflicts.map((x) => ({ address: x.address, message: x.reason }));
  if (!lb)
    return {
      key,
      addresses: [],
      programmed: plan.conflicts.length === 0,
      ...(errors.length > 0 ? { errors } : {}),
    };
  const name = lb.after.name;
  // Untouched by this plan: as the observe before it saw it.
  const seen = lb.action === 'noop' ? memory.loadBalancers.get(name) : undefined;
  const found = seen ?? (await loadBalancerByName(ctx, name));
  const active = found?.State?.Code === 'active';
  return {
    key,
    addresses: found?.DNSName ? [{ type: 'Hostname', value: found.DNSName }] : [],
    programmed: active && plan.conflicts.length === 0,
    ...(active ? {} : { message: `load balancer is ${found?.State?.Code ?? 'missing'}` }),
    ...(errors.length > 0 ? { errors } : {}),
  };
}
