// URL maps: host rules, path matchers and route rules. Replaced whole with `update` (PUT) and the
// observed fingerprint: a URL map changed by anyone since observe answers 412 and is planned again.

import { pick, regionOf, toApi } from '../internal/api-values.js';
import { type ApplyContext, scopeOf, type UpdateOf } from '../internal/apply-context.js';
import type { Json } from '../internal/calls.js';
import { mutateResource } from '../internal/collections.js';
import type { PathMatcher, UrlMapValue } from '../model.js';

export function urlMapFromApi(api: Json): UrlMapValue {
  const v = pick(api, ['name', 'description', 'defaultService', 'hostRules', 'pathMatchers', 'fingerprint']);
  const matchers = (v.pathMatchers as PathMatcher[] | undefined) ?? [];
  return {
    ...(v as unknown as UrlMapValue),
    ...regionOf(api),
    hostRules: (v.hostRules as UrlMapValue['hostRules'] | undefined) ?? [],
    // A host whose routes were all left out keeps a matcher without rules.
    pathMatchers: matchers.map((m) => ({ ...m, routeRules: m.routeRules ?? [] })),
  };
}

export async function updateUrlMap(ac: ApplyContext, c: UpdateOf<'url-map'>): Promise<void> {
  await mutateResource(ac.calls, 'url-map', c.after.name, scopeOf(c.after), 'update', {
    urlMapResource: { ...toApi(c.after), fingerprint: c.before.fingerprint },
  });
}
