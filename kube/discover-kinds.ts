import { KINDS, type KindName } from '#core/model/bundle.js';
import { KubeApiError } from './kube-api-error.js';
import type { KubeHttp } from './kube-http.js';

/** Where the API server serves one kind Portico reads. */
export interface KindResource {
  kind: KindName;
  group: string;
  version: string;
  /** `group/version`, or `version` for the core group. */
  apiVersion: string;
  plural: string;
  namespaced: boolean;
  /** Has a `/status` subresource. */
  hasStatus: boolean;
  /** The cluster-wide collection: list and watch here. */
  collectionPath: string;
}

/** A kind Portico reads that the server does not serve (CRDs not installed, API too old). */
export interface SkippedKind {
  kind: KindName;
  group: string;
  reason: string;
}

export interface Discovery {
  resources: KindResource[];
  skipped: SkippedKind[];
}

interface APIResource {
  name: string;
  kind: string;
  namespaced: boolean;
  verbs?: string[];
}

/**
 * Asks the server where each kind is served: in its group's preferred version when that has it,
 * else in the first other version that does. Kinds whose group or resource is not served are
 * returned in `skipped`, with the reason, rather than failing the whole source.
 */
export async function discoverKinds(
  http: KubeHttp,
  kinds: readonly KindName[] = Object.keys(KINDS) as KindName[],
  signal?: AbortSignal,
): Promise<Discovery> {
  const get = <T>(path: string) => http.request<T>({ method: 'GET', path, ...(signal ? { signal } : {}) });
  const groupVersions = new Map<string, string[]>();
  const core = await get<{ versions?: string[] }>('/api');
  groupVersions.set('', core.versions ?? []);
  const apis = await get<{
    groups?: { name: string; versions?: { version: string }[]; preferredVersion?: { version: string } }[];
  }>('/apis');
  for (const g of apis.groups ?? []) {
    const versions = (g.versions ?? []).map((v) => v.version);
    const preferred = g.preferredVersion?.version;
    groupVersions.set(g.name, preferred ? [preferred, ...versions.filter((v) => v !== preferred)] : versions);
  }

  const lists = new Map<string, APIResource[]>();
  const resourcesOf = async (group: string, version: string): Promise<APIResource[]> => {
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    let list = lists.get(path);
    if (!list) {
      try {
        list = (await get<{ resources?: APIResource[] }>(path)).resources ?? [];
      } catch (err) {
        if (!(err instanceof KubeApiError && (err.code === 404 || err.code === 503))) throw err;
        list = [];
      }
      lists.set(path, list);
    }
    return list;
  };

  const resources: KindResource[] = [];
  const skipped: SkippedKind[] = [];
  for (const kind of kinds) {
    const { group } = KINDS[kind];
    const versions = groupVersions.get(group);
    if (!versions || versions.length === 0) {
      skipped.push({ kind, group, reason: `API group ${group || 'core'} is not served` });
      continue;
    }
    let found: KindResource | undefined;
    let unwatchable = false;
    for (const version of versions) {
      const list = await resourcesOf(group, version);
      const r = list.find((x) => x.kind === kind && !x.name.includes('/'));
      if (!r) continue;
      if (r.verbs && !(r.verbs.includes('list') && r.verbs.includes('watch'))) {
        unwatchable = true;
        continue;
      }
      const apiVersion = group ? `${group}/${version}` : version;
      found = {
        kind,
        group,
        version,
        apiVersion,
        plural: r.name,
        namespaced: r.namespaced,
        hasStatus: list.some((x) => x.name === `${r.name}/status`),
        collectionPath: `${group ? `/apis/${apiVersion}` : `/api/${version}`}/${r.name}`,
      };
      break;
    }
    if (found) resources.push(found);
    else
      skipped.push({
        kind,
        group,
        reason: unwatchable
          ? `${kind} cannot be listed and watched here`
          : `no served version of ${group || 'core'} (${versions.join(', ')}) has ${kind}`,
      });
  }
  return { resources, skipped };
}

/** The path of one object (or of its subresource). */
export function objectPath(
  r: KindResource,
  namespace: string | undefined,
  name: string,
  subresource?: 'status',
): string {
  const base = r.group ? `/apis/${r.apiVersion}` : `/api/${r.version}`;
  const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
  return `${base}${ns}/${r.plural}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}
