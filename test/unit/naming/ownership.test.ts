import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isOwnedBy } from '#core/naming/is-owned-by.js';
import { LABEL_KEYS, TAG_KEYS } from '#core/naming/ownership.js';
import {
  GCP_DESCRIPTION_MAX,
  GCP_LABEL_KEY_PATTERN,
  GCP_LABEL_MAX,
  GCP_LABEL_VALUE_PATTERN,
  ownershipDescription,
  ownershipLabels,
  parseOwnershipDescription,
} from '#core/naming/ownership-labels.js';
import {
  AWS_TAG_KEY_MAX,
  AWS_TAG_PATTERN,
  AWS_TAG_VALUE_MAX,
  awsTagValue,
  ownershipTags,
} from '#core/naming/ownership-tags.js';

const owner = { cluster: 'prod-eu', lbKey: 'prod-eu/Gateway/shop/web', role: 'load-balancer' };
const anyOwner = fc.record({
  cluster: fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('prod', 'aws:prod', 'Prod EU')),
  lbKey: fc.string({ maxLength: 700 }),
  role: fc.oneof(fc.constantFrom('listener', 'target-group'), fc.string({ maxLength: 40 })),
});

describe('naming: AWS ownership tags', () => {
  it('tags every resource with managed-by, cluster, lb-key and role', () => {
    expect(ownershipTags(owner)).toEqual({
      'portico.dev/managed-by': 'portico',
      'portico.dev/cluster': 'prod-eu',
      'portico.dev/lb-key': 'prod-eu/Gateway/shop/web',
      'portico.dev/role': 'load-balancer',
    });
  });

  it('always respects AWS key and value limits', () => {
    fc.assert(
      fc.property(anyOwner, (o) => {
        for (const [k, v] of Object.entries(ownershipTags(o))) {
          expect(k.length).toBeLessThanOrEqual(AWS_TAG_KEY_MAX);
          expect(k).toMatch(AWS_TAG_PATTERN);
          expect(v.length).toBeLessThanOrEqual(AWS_TAG_VALUE_MAX);
          expect(v).toMatch(AWS_TAG_PATTERN);
          expect(v).not.toMatch(/^aws:/i);
        }
      }),
    );
  });

  it('hashes values AWS would reject, distinctly', () => {
    const long = `prod/Gateway/shop/${'x'.repeat(300)}`;
    expect(awsTagValue(long)).toMatch(/^sha256:[a-z2-7]{32}$/);
    expect(awsTagValue(`${long}y`)).not.toBe(awsTagValue(long));
    expect(awsTagValue('aws:reserved')).toMatch(/^sha256:/);
    expect(awsTagValue('bad#char')).toMatch(/^sha256:/);
    expect(awsTagValue('Prod EU')).toBe('Prod EU');
  });
});

describe('naming: GCP ownership labels and description', () => {
  it('always respects label rules; the LB key is hashed', () => {
    fc.assert(
      fc.property(anyOwner, (o) => {
        for (const [k, v] of Object.entries(ownershipLabels(o))) {
          expect(k).toMatch(GCP_LABEL_KEY_PATTERN);
          expect(v.length).toBeLessThanOrEqual(GCP_LABEL_MAX);
          expect(v).toMatch(GCP_LABEL_VALUE_PATTERN);
        }
      }),
    );
    const labels = ownershipLabels(owner);
    expect(labels[LABEL_KEYS.cluster]).toBe('prod-eu');
    expect(labels[LABEL_KEYS.lbKey]).toMatch(/^h-[a-z2-7]{32}$/);
  });

  it('writes a description marker that parses back, within 2048 characters', () => {
    fc.assert(
      fc.property(anyOwner, (o) => {
        const d = ownershipDescription(o);
        expect(d.length).toBeLessThanOrEqual(GCP_DESCRIPTION_MAX);
        expect(parseOwnershipDescription(d)).toEqual(ownershipTags(o));
      }),
    );
  });

  it('ignores descriptions that are not markers', () => {
    expect(parseOwnershipDescription(undefined)).toBeUndefined();
    expect(parseOwnershipDescription('made by hand')).toBeUndefined();
    expect(parseOwnershipDescription('{not json')).toBeUndefined();
    expect(parseOwnershipDescription('{"kubernetes.io/ingress-name":"a/b"}')).toBeUndefined();
    expect(parseOwnershipDescription('[1]')).toBeUndefined();
  });
});

describe('naming: isOwnedBy', () => {
  it('recognises its own tags, labels and description markers', () => {
    for (const tags of [
      ownershipTags(owner),
      ownershipLabels(owner),
      parseOwnershipDescription(ownershipDescription(owner))!,
    ]) {
      expect(isOwnedBy(tags, { cluster: 'prod-eu', lbKey: owner.lbKey })).toBe(true);
      expect(isOwnedBy(tags, { cluster: 'prod-eu' })).toBe(true);
      expect(isOwnedBy(tags, { cluster: 'prod-eu', lbKey: 'prod-eu/Gateway/shop/other' })).toBe(false);
      expect(isOwnedBy(tags, { cluster: 'prod-us', lbKey: owner.lbKey })).toBe(false);
    }
  });

  it('matches hashed values too', () => {
    const o = { cluster: 'aws:weird', lbKey: `c/Gateway/ns/${'n'.repeat(300)}`, role: 'listener' };
    expect(isOwnedBy(ownershipTags(o), o)).toBe(true);
    expect(isOwnedBy(ownershipLabels(o), o)).toBe(true);
  });

  it('rejects anything without the managed-by mark', () => {
    expect(isOwnedBy({}, { cluster: 'prod-eu' })).toBe(false);
    const { [TAG_KEYS.managedBy]: _, ...unmarked } = ownershipTags(owner);
    expect(isOwnedBy(unmarked, { cluster: 'prod-eu' })).toBe(false);
    expect(
      isOwnedBy({ ...ownershipTags(owner), [TAG_KEYS.managedBy]: 'aws-lbc' }, { cluster: 'prod-eu' }),
    ).toBe(false);
  });

  it('never confuses two owners', () => {
    fc.assert(
      fc.property(anyOwner, anyOwner, (a, b) => {
        fc.pre(a.cluster !== b.cluster || a.lbKey !== b.lbKey);
        expect(isOwnedBy(ownershipTags(a), b)).toBe(false);
        expect(isOwnedBy(ownershipLabels(a), b)).toBe(false);
      }),
    );
  });
});
