// Tags: reading them (DescribeTags, 20 ARNs a call), ownership by tags, and bringing a resource's
// tags to what render wants (AddTags / RemoveTags).

import {
  AddTagsCommand,
  DescribeTagsCommand,
  type DescribeTagsOutput,
  RemoveTagsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LbKey } from '#core/ir/load-balancer.js';
import { awsTagValue, MANAGED_BY, TAG_KEYS } from '#core/naming/index.js';
import type { Tags } from '../model.js';
import { chunks, type Elbv2Calls, send } from './sdk.js';
import { CA_BUNDLE_TAG, CONTENT_ID_TAG, fromAwsTags, toAwsTags } from './wire.js';

/** Tags by ARN. An ARN the answer leaves out has no entry (it is gone, or its tags could not be read). */
export async function describeTags(ctx: Elbv2Calls, arns: readonly string[]): Promise<Map<string, Tags>> {
  const out = new Map<string, Tags>();
  for (const chunk of chunks([...new Set(arns)], 20)) {
    const r = await send<DescribeTagsOutput>(ctx, new DescribeTagsCommand({ ResourceArns: chunk }));
    for (const d of r.TagDescriptions ?? []) out.set(d.ResourceArn ?? '', fromAwsTags(d.Tags));
  }
  return out;
}

/** Tagged managed-by Portico, for this load-balancer key (and cluster, when given). */
export function ownedBy(tags: Tags, key: LbKey, cluster?: string): boolean {
  return (
    tags[TAG_KEYS.managedBy] === MANAGED_BY &&
    tags[TAG_KEYS.lbKey] === awsTagValue(key) &&
    (cluster === undefined || tags[TAG_KEYS.cluster] === awsTagValue(cluster))
  );
}

/** Adds what differs and removes what is no longer wanted; the content-id and CA bundle tags are apply's own and stay. */
export async function syncTags(ctx: Elbv2Calls, arn: string, desired: Tags, before: Tags): Promise<void> {
  const add = Object.entries(desired).filter(([k, v]) => before[k] !== v);
  const remove = Object.keys(before).filter(
    (k) => !(k in desired) && k !== CONTENT_ID_TAG && k !== CA_BUNDLE_TAG,
  );
  if (add.length > 0)
    await send(ctx, new AddTagsCommand({ ResourceArns: [arn], Tags: toAwsTags(Object.fromEntries(add)) }));
  if (remove.length > 0) await send(ctx, new RemoveTagsCommand({ ResourceArns: [arn], TagKeys: remove }));
}
