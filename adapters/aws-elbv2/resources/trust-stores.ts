// Trust stores (ALB mutual TLS): found by name, observed with the hash of the CA bundle they were
// made from (a tag: AWS does not give the bundle back), created from the bundle apply uploads to S3,
// re-pointed at a new bundle (ModifyTrustStore), deleted once no listener uses them.

import {
  CreateTrustStoreCommand,
  type CreateTrustStoreOutput,
  DeleteTrustStoreCommand,
  DescribeTrustStoresCommand,
  type DescribeTrustStoresOutput,
  ModifyTrustStoreCommand,
  type TrustStore,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ObservedResource } from '#core/plan/types.js';
import { InvalidConfigError } from '../../types.js';
import type { ApplyContext, BuildChange, LeavingChange } from '../internal/apply-context.js';
import { type Elbv2Calls, send, sendOrAbsent } from '../internal/sdk.js';
import { syncTags } from '../internal/tags.js';
import { touched } from '../internal/touched.js';
import { CA_BUNDLE_TAG, toAwsTags } from '../internal/wire.js';
import { type Elbv2Kinds, elbv2Address, type Tags, type TrustStoreValue } from '../model.js';

/** `arn:…:truststore/<name>/<id>` → `<name>`. */
export function trustStoreNameOfArn(arn: string): string | undefined {
  return /:truststore\/([^/]+)\//.exec(arn)?.[1];
}

/** The trust store with this name, or undefined (names are unique per region). */
export async function trustStoreByName(ctx: Elbv2Calls, name: string): Promise<TrustStore | undefined> {
  const r = await sendOrAbsent<DescribeTrustStoresOutput>(
    ctx,
    new DescribeTrustStoresCommand({ Names: [name] }),
    ['TrustStoreNotFound'],
  );
  return r?.TrustStores?.[0];
}

export function observeTrustStore(ts: TrustStore, tags: Tags, owned: boolean): ObservedResource<Elbv2Kinds> {
  const { [CA_BUNDLE_TAG]: sha = '', ...rest } = tags;
  const name = ts.Name ?? '';
  return {
    address: elbv2Address('trust-store', name),
    kind: 'trust-store',
    value: { name, caBundleSha256: sha, tags: rest },
    owned,
    id: ts.TrustStoreArn ?? '',
  };
}

/** The bundle, uploaded: where CreateTrustStore/ModifyTrustStore read it. */
async function uploadBundle(ac: ApplyContext, address: string, v: TrustStoreValue) {
  const b = v.bundle;
  if (!b) throw new InvalidConfigError(`${address}: no CA bundle to upload`, address);
  if (!ac.caBundles)
    throw new InvalidConfigError(`${address}: the adapter has no CA bundle store (S3) configured`, address);
  await ac.caBundles.put(b.bucket, b.key, b.pem, ac.calls.signal);
  return { CaCertificatesBundleS3Bucket: b.bucket, CaCertificatesBundleS3Key: b.key };
}

export async function applyTrustStore(ac: ApplyContext, c: BuildChange<'trust-store'>): Promise<void> {
  const ctx = ac.calls;
  const v = c.after;
  const shaTag = { [CA_BUNDLE_TAG]: v.caBundleSha256 };
  if (c.action !== 'update') {
    const bundle = await uploadBundle(ac, c.address, v);
    await ac.createOrAdopt(
      c.address,
      async () =>
        (
          await send<CreateTrustStoreOutput>(
            ctx,
            new CreateTrustStoreCommand({
              Name: v.name,
              ...bundle,
              Tags: toAwsTags({ ...v.tags, ...shaTag }),
            }),
            c.address,
          )
        ).TrustStores?.[0]?.TrustStoreArn,
      async () => (await trustStoreByName(ctx, v.name))?.TrustStoreArn,
    );
    return;
  }
  const arn = await ac.resolve(c.address);
  // The bundle first, its tag last: a stop in between re-applies the bundle next time.
  if (touched(c, 'caBundleSha256')) {
    const bundle = await uploadBundle(ac, c.address, v);
    await send(ctx, new ModifyTrustStoreCommand({ TrustStoreArn: arn, ...bundle }), c.address);
  }
  if (touched(c, 'tags') || touched(c, 'caBundleSha256'))
    await syncTags(
      ctx,
      arn,
      { ...v.tags, ...shaTag },
      { ...c.before.tags, [CA_BUNDLE_TAG]: c.before.caBundleSha256 },
    );
}

export async function deleteTrustStore(ac: ApplyContext, c: LeavingChange<'trust-store'>): Promise<void> {
  if (c.id === undefined) return;
  await sendOrAbsent(ac.calls, new DeleteTrustStoreCommand({ TrustStoreArn: c.id }), ['TrustStoreNotFound']);
}
