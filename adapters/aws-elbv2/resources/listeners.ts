// Listeners: observed with their certificates, created, modified (protocol, TLS, default action,
// certificates, tags) and deleted.

import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  type CreateListenerOutput,
  DeleteListenerCommand,
  DescribeListenerCertificatesCommand,
  type DescribeListenerCertificatesOutput,
  DescribeListenersCommand,
  type DescribeListenersOutput,
  type Listener,
  ModifyListenerCommand,
  RemoveListenerCertificatesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ObservedResource } from '#core/plan/types.js';
import type { ApplyContext, BuildChange, LeavingChange } from '../internal/apply-context.js';
import { allPages, type Elbv2Calls, PAGE, send, sendOrAbsent } from '../internal/sdk.js';
import { syncTags } from '../internal/tags.js';
import { touched } from '../internal/touched.js';
import { fromAwsAction, toAwsAction, toAwsTags } from '../internal/wire.js';
import {
  type Elbv2Kinds,
  elbv2Address,
  type ListenerProtocol,
  type ListenerValue,
  type MutualAuthenticationValue,
  type Tags,
} from '../model.js';
import { listenerAddress } from '../render.js';
import { trustStoreNameOfArn } from './trust-stores.js';

/** Every listener of a load balancer. */
export function describeListeners(ctx: Elbv2Calls, loadBalancerArn: string): Promise<Listener[]> {
  return allPages(
    (Marker) =>
      send<DescribeListenersOutput>(
        ctx,
        new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker, PageSize: PAGE }),
      ),
    (o) => o.Listeners,
  );
}

/** The observed resource; an HTTPS or TLS listener's certificates are read too. */
export async function observeListener(
  ctx: Elbv2Calls,
  l: Listener,
  lbName: string,
  tags: Tags,
  owned: boolean,
  targetGroupName: (arn: string) => string,
): Promise<ObservedResource<Elbv2Kinds>> {
  const protocol = (l.Protocol ?? 'HTTP') as ListenerProtocol;
  const value: ListenerValue = {
    loadBalancer: lbName,
    port: l.Port ?? 0,
    protocol,
    defaultAction: l.DefaultActions?.[0]
      ? fromAwsAction(l.DefaultActions[0], targetGroupName)
      : { type: 'forward', targetGroups: [] },
    tags,
  };
  const mtls = l.MutualAuthentication;
  if (mtls?.Mode === 'verify')
    value.mutualAuthentication = {
      mode: 'verify',
      trustStore: trustStoreNameOfArn(mtls.TrustStoreArn ?? '') ?? mtls.TrustStoreArn ?? '',
      ignoreClientCertificateExpiry: mtls.IgnoreClientCertificateExpiry ?? false,
    };
  else if (mtls?.Mode === 'passthrough') value.mutualAuthentication = { mode: 'passthrough' };
  if (protocol === 'HTTPS' || protocol === 'TLS') {
    if (l.SslPolicy !== undefined) value.sslPolicy = l.SslPolicy;
    const certs = await allPages(
      (Marker) =>
        send<DescribeListenerCertificatesOutput>(
          ctx,
          new DescribeListenerCertificatesCommand({ ListenerArn: l.ListenerArn, Marker, PageSize: PAGE }),
        ),
      (o) => o.Certificates,
    );
    const def = certs.filter((c) => c.IsDefault).map((c) => c.CertificateArn ?? '');
    const rest = certs.filter((c) => !c.IsDefault).map((c) => c.CertificateArn ?? '');
    value.certificateArns = [...def, ...rest];
  }
  return {
    address: listenerAddress(lbName, l.Port ?? 0),
    kind: 'listener',
    value,
    owned,
    id: l.ListenerArn ?? '',
  };
}

export async function applyListener(ac: ApplyContext, c: BuildChange<'listener'>): Promise<void> {
  const ctx = ac.calls;
  const v = c.after;
  const tgArns = new Map<string, string>();
  if (v.defaultAction.type === 'forward')
    for (const t of v.defaultAction.targetGroups)
      tgArns.set(t.name, await ac.resolve(elbv2Address('target-group', t.name)));
  const action = toAwsAction(v.defaultAction, (n) => tgArns.get(n) ?? '');
  const [firstCert, ...moreCerts] = v.certificateArns ?? [];
  const tls = {
    ...(v.sslPolicy !== undefined ? { SslPolicy: v.sslPolicy } : {}),
    ...(firstCert !== undefined ? { Certificates: [{ CertificateArn: firstCert }] } : {}),
  };
  const mutualAuthentication = await mutualAuthenticationInput(ac, v.mutualAuthentication);
  let arn: string;
  let beforeCerts: string[] = [];
  if (c.action !== 'update') {
    const lbArn = await ac.resolve(elbv2Address('load-balancer', v.loadBalancer));
    arn = await ac.createOrAdopt(
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
              ...(mutualAuthentication ? { MutualAuthentication: mutualAuthentication } : {}),
              DefaultActions: [action],
              Tags: toAwsTags(v.tags),
            }),
            c.address,
          )
        ).Listeners?.[0]?.ListenerArn,
      async () => (await describeListeners(ctx, lbArn)).find((l) => l.Port === v.port)?.ListenerArn,
    );
  } else {
    arn = await ac.resolve(c.address);
    beforeCerts = (c.before.certificateArns ?? []).slice(1);
    if ((c.changedPaths ?? []).some((p) => !p.startsWith('tags')))
      await send(
        ctx,
        new ModifyListenerCommand({
          ListenerArn: arn,
          Protocol: v.protocol,
          ...tls,
          // Sent when set or when it was on: `off` turns client validation off.
          ...(mutualAuthentication || c.before.mutualAuthentication
            ? { MutualAuthentication: mutualAuthentication ?? { Mode: 'off' } }
            : {}),
          DefaultActions: [action],
        }),
        c.address,
      );
    if (touched(c, 'tags')) await syncTags(ctx, arn, v.tags, c.before.tags);
  }
  // The default certificate goes with the listener; the others are a set of their own.
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
}

/** The API's MutualAuthentication for a listener value (the trust store's ARN resolved by name). */
async function mutualAuthenticationInput(ac: ApplyContext, m: MutualAuthenticationValue | undefined) {
  if (!m) return undefined;
  if (m.mode === 'passthrough') return { Mode: 'passthrough' };
  return {
    Mode: 'verify',
    TrustStoreArn: await ac.resolve(elbv2Address('trust-store', m.trustStore ?? '')),
    IgnoreClientCertificateExpiry: m.ignoreClientCertificateExpiry ?? false,
  };
}

export async function deleteListener(ac: ApplyContext, c: LeavingChange<'listener'>): Promise<void> {
  if (c.id === undefined) return;
  await sendOrAbsent(ac.calls, new DeleteListenerCommand({ ListenerArn: c.id }), ['ListenerNotFound']);
}
