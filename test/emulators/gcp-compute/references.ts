// References between resources. GCP accepts a full URL (`https://www.googleapis.com/compute/v1/projects/
// p/global/backendServices/x`, also on compute.googleapis.com) or a partial one (`projects/p/global/...`,
// `global/...`, `regions/r/...`, `zones/z/...`), and answers with full self links.

import { type Scope, scopePath } from './routes.js';

export const SELF_LINK_BASE = 'https://www.googleapis.com/compute/v1/';

export interface ResourceRef {
  project: string;
  scope: Scope;
  /** `urlMaps`, `backendServices`, ... also collections the emulator does not hold (`networks`). */
  collection: string;
  name: string;
}

/** `projects/p/global/urlMaps/x`: the key of a resource and the form error messages use. */
export const refPath = (r: ResourceRef): string =>
  `projects/${r.project}/${scopePath(r.scope)}/${r.collection}/${r.name}`;

export const selfLink = (r: ResourceRef): string => SELF_LINK_BASE + refPath(r);

export const scopeLink = (project: string, scope: Scope): string =>
  `${SELF_LINK_BASE}projects/${project}/${scopePath(scope)}`;

const FULL = /^https:\/\/(?:www|compute)\.googleapis\.com\/compute\/(?:v1|beta|alpha)\//;

/** The resource a reference names, relative to the request's project; undefined if it is not one. */
export function parseReference(value: string, project: string): ResourceRef | undefined {
  let rest = value.replace(FULL, '');
  let refProject = project;
  const p = /^projects\/([a-z][-a-z0-9.:]{0,62})\/(.+)$/.exec(rest);
  if (p) {
    refProject = p[1]!;
    rest = p[2]!;
  } else if (FULL.test(value)) return undefined;
  const parts = rest.split('/');
  let scope: Scope;
  if (parts[0] === 'global' && parts.length === 3) scope = { kind: 'global' };
  else if ((parts[0] === 'regions' || parts[0] === 'zones') && parts.length === 4)
    scope = { kind: parts[0] === 'regions' ? 'region' : 'zone', name: parts[1]! };
  else return undefined;
  const [collection, name] = parts.slice(-2) as [string, string];
  if (!/^[a-zA-Z]+$/.test(collection) || !name) return undefined;
  return { project: refProject, scope, collection, name };
}

export const sameScope = (a: Scope, b: Scope): boolean =>
  a.kind === b.kind && (a.kind === 'global' || (b.kind !== 'global' && a.name === b.name));

/** The region of a zone (`us-central1-a` → `us-central1`). */
export const regionOfZone = (zone: string): string => zone.replace(/-[a-z]$/, '');
