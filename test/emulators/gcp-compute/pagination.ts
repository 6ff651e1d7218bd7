// List pages: `maxResults` (0 to 500, default 500; 0 means the default) and an opaque `pageToken` that
// names the next offset of this very list; a token from another list is rejected like GCP does.

import { invalid } from './errors.js';

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export function page<T>(all: T[], listKey: string, query: URLSearchParams, maxResultsLimit: number): Page<T> {
  const raw = query.get('maxResults');
  const max = raw === null || raw === '' || raw === '0' ? maxResultsLimit : Number(raw);
  if (!Number.isInteger(max) || max < 0 || max > maxResultsLimit)
    throw invalid('maxResults', `'${raw}'. Must be from 0 to ${maxResultsLimit}`);
  let offset = 0;
  const token = query.get('pageToken');
  if (token) {
    const decoded = /^(\d+):(.*)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
    if (!decoded || decoded[2] !== listKey)
      throw invalid('pageToken', 'the page token does not belong to this list');
    offset = Number(decoded[1]);
  }
  const items = all.slice(offset, offset + max);
  const next = offset + max;
  return next < all.length
    ? { items, nextPageToken: Buffer.from(`${next}:${listKey}`).toString('base64url') }
    : { items };
}
