import { describe, expect, it } from 'vitest';
import { validateStatusRecord } from '#events/forwarder/status-record.js';
import type { StatusRecordWire } from '#events/status-pull.js';

const record = (
  status: unknown,
  ref: StatusRecordWire['ref'] = { kind: 'Service', namespace: 'a', name: 's' },
) => ({ cursor: 'c1', ref, status }) as StatusRecordWire;

describe('validateStatusRecord', () => {
  it('accepts a core ObjectStatus of the record ref', () => {
    const status = {
      kind: 'Service',
      namespace: 'a',
      name: 's',
      loadBalancers: ['k'],
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.1', ports: [{ port: 80, protocol: 'TCP' }] }] } },
    };
    expect(validateStatusRecord(record(status))).toEqual(status);
  });

  it('refuses a status of another object, of a kind without status, or of the wrong shape', () => {
    expect(
      validateStatusRecord(
        record({ kind: 'Service', namespace: 'b', name: 's', loadBalancers: [], status: {} }),
      ),
    ).toBe('status names another object than the record');
    expect(
      validateStatusRecord(
        record(
          { kind: 'Secret', namespace: 'a', name: 's', loadBalancers: [], status: {} },
          {
            kind: 'Secret',
            namespace: 'a',
            name: 's',
          },
        ),
      ),
    ).toBe('Portico writes no status for Secret');
    expect(
      validateStatusRecord(
        record(
          {
            kind: 'HTTPRoute',
            namespace: 'a',
            name: 'r',
            loadBalancers: [],
            status: {
              parents: [
                {
                  parentRef: { name: 'gw' },
                  controllerName: 'x',
                  conditions: [{ type: 'Accepted', status: 'Yes' }],
                },
              ],
            },
          },
          { kind: 'HTTPRoute', namespace: 'a', name: 'r' },
        ),
      ),
    ).toMatch(/^status\.status\.parents\.0\.conditions\.0\.status: /);
    expect(validateStatusRecord(record('nope'))).toMatch(/^status\./);
  });
});
