import { describe, expect, it } from 'vitest';
import { KINDS } from '#core/model/bundle.js';
import { READ_KINDS } from '#events/kinds.js';

describe('READ_KINDS', () => {
  it('matches the kinds, groups and scopes of core/model KINDS', () => {
    const fromCore = Object.fromEntries(
      Object.entries(KINDS).map(([kind, k]) => [kind, { group: k.group, namespaced: k.namespaced }]),
    );
    expect(READ_KINDS).toEqual(fromCore);
  });
});
