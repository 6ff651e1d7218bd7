// List filters. GCP's filter language is large; the emulator evaluates the one form Portico's adapter
// sends, `labels.<key> = "<value>"` (also `name = "<value>"`), terms joined by AND, and refuses any
// other filter with a 400 rather than ignoring it (an ignored filter would return too much silently).

import { invalid } from './errors.js';
import type { Json } from './store.js';

const TERM = /^\s*(labels\.[a-z][a-z0-9_-]{0,62}|name)\s*=\s*"?([a-z0-9_.-]*)"?\s*$/;

/** The predicate a filter stands for; undefined for no filter. */
export function listFilter(filter: string | null): ((resource: Json) => boolean) | undefined {
  if (filter === null || filter.trim() === '') return undefined;
  const terms = filter.split(/\s+AND\s+/).map((t) => {
    const m = TERM.exec(t.replace(/^\((.*)\)$/, '$1'));
    if (!m)
      throw invalid(
        'filter',
        `the emulator evaluates only labels.<key> = "<value>" and name = "<value>", not '${t}'`,
      );
    const [, field, value] = m as unknown as [string, string, string];
    return (r: Json) =>
      field === 'name'
        ? r.name === value
        : (r.labels as Record<string, string> | undefined)?.[field.slice('labels.'.length)] === value;
  });
  return (r) => terms.every((t) => t(r));
}
