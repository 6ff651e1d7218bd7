import { describe, expect, it } from 'vitest';
import { createFakeAdapter } from '#adapters/fake/adapter.js';
import { createAdapterRegistry, UnknownAdapterError } from '#adapters/registry.js';

describe('adapters: registry', () => {
  it('creates adapters by name and refuses double registration', () => {
    const registry = createAdapterRegistry();
    registry.register('fake', () => createFakeAdapter());
    expect(registry.create('fake').name).toBe('fake');
    expect(registry.names()).toEqual(['fake']);
    expect(() => registry.register('fake', () => createFakeAdapter())).toThrow(/already registered/);
    expect(() => registry.create('aws-elbv2')).toThrow(UnknownAdapterError);
  });
});
