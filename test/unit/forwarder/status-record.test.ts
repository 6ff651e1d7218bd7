import { describe, expect, it } from 'vitest';
import { lbKey } from '#core/ir/lb-key.js';
import { readinessGateType } from '#core/readiness/gate-condition.js';
import { type StatusRecordWire, statusRecord } from '#events/status-pull.js';
import {
  validatePodGateRecord,
  validateStatusRecord,
  validateStatusRelease,
} from '#forwarder/status-record.js';

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
    const policy = (ancestorRef: unknown) =>
      record(
        {
          kind: 'BackendTLSPolicy',
          namespace: 'a',
          name: 'p',
          loadBalancers: ['k'],
          status: {
            ancestors: [
              {
                ancestorRef,
                controllerName: 'portico.dev/gateway-controller',
                conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '' }],
              },
            ],
          },
        },
        { kind: 'BackendTLSPolicy', namespace: 'a', name: 'p' },
      );
    expect(validateStatusRecord(policy({ kind: 'Gateway', namespace: 'a', name: 'gw' }))).toMatchObject({
      kind: 'BackendTLSPolicy',
    });
    expect(validateStatusRecord(policy({ namespace: 'a' }))).toMatch(
      /^status\.status\.ancestors\.0\.ancestorRef\.name: /,
    );
  });
});

describe('validateStatusRelease', () => {
  const release = {
    cursor: 'c2',
    key: 'c/Gateway/infra/web',
    ref: { kind: 'HTTPRoute', namespace: 'apps', name: 'r' },
    release: { kind: 'HTTPRoute', namespace: 'apps', name: 'r', parent: { namespace: 'infra', name: 'web' } },
  } as const;

  it('accepts a release of the record ref, and refuses one of another object or a route without parent', () => {
    expect(validateStatusRelease(release as StatusRecordWire)).toEqual(release.release);
    expect(
      validateStatusRelease({ ...release, release: { ...release.release, name: 'x' } } as StatusRecordWire),
    ).toBe('release names another object than the record');
    const { parent: _, ...noParent } = release.release;
    expect(validateStatusRelease({ ...release, release: noParent } as StatusRecordWire)).toBe(
      'a route release names no parent Gateway',
    );
  });

  it('is refused, never written, by a forwarder that only knows status records (compatible wire)', () => {
    const parsed = statusRecord.parse(release);
    const { release: __, ...asAnOldForwarderSeesIt } = parsed;
    expect(typeof validateStatusRecord(asAnOldForwarderSeesIt as StatusRecordWire)).toBe('string');
  });
});

describe('validatePodGateRecord', () => {
  const key = lbKey('c1', 'Service', 'apps', 'web');
  const type = readinessGateType(key);
  const gateRecord = (over: Partial<StatusRecordWire> = {}) =>
    ({
      cursor: 'c1',
      key,
      ref: { kind: 'Pod', namespace: 'apps', name: 'web-7d4f-abcde' },
      gate: { conditionType: type, message: 'healthy' },
      ...over,
    }) as StatusRecordWire;

  it("accepts the gate of the record's load balancer on a Pod", () => {
    expect(validatePodGateRecord(gateRecord())).toEqual({
      pod: { namespace: 'apps', name: 'web-7d4f-abcde' },
      conditionType: type,
      message: 'healthy',
    });
    // The wire schema carries it.
    expect(statusRecord.safeParse(gateRecord()).success).toBe(true);
  });

  it('refuses hostile or malformed Pod names and namespaces', () => {
    for (const name of ['../etc', 'Web', 'a/b', 'web?x=1', 'web%2F..', '-web', 'web-', 'a b'])
      expect(validatePodGateRecord(gateRecord({ ref: { kind: 'Pod', namespace: 'apps', name } })), name).toBe(
        'the gate record names no valid Pod name',
      );
    for (const namespace of ['..', 'a.b', 'Apps', 'a/b', 'x'.repeat(64), ''])
      expect(
        validatePodGateRecord(gateRecord({ ref: { kind: 'Pod', namespace, name: 'p' } })),
        namespace,
      ).toBe('the gate record names no valid Pod namespace');
    expect(validatePodGateRecord(gateRecord({ ref: { kind: 'Pod', name: 'p' } }))).toBe(
      'the gate record names no valid Pod namespace',
    );
    expect(
      validatePodGateRecord(gateRecord({ ref: { kind: 'Service', namespace: 'apps', name: 'p' } })),
    ).toBe('a gate record names a Service, not a Pod');
  });

  it("refuses any condition type but exactly the record's load balancer's gate", () => {
    const otherKey = readinessGateType(lbKey('c1', 'Service', 'apps', 'other'));
    for (const conditionType of [
      'Ready',
      'ContainersReady',
      'portico.dev/lb-',
      `${type}x`,
      ` ${type}`,
      type.toUpperCase(),
      'portico.dev/lb-aaaaaaaaaaaaaaa1',
      otherKey,
    ])
      expect(
        validatePodGateRecord(gateRecord({ gate: { conditionType, message: 'm' } })),
        conditionType,
      ).toBe("the condition type is not the record's load balancer's readiness gate");
    const { key: _, ...keyless } = gateRecord();
    expect(validatePodGateRecord(keyless as StatusRecordWire)).toBe('the gate record names no load balancer');
    expect(validatePodGateRecord(gateRecord({ key: 'not a key' }))).toBe(
      'the gate record names no load balancer',
    );
  });

  it('the wire refuses an oversized gate', () => {
    expect(
      statusRecord.safeParse(gateRecord({ gate: { conditionType: type, message: 'm'.repeat(1025) } }))
        .success,
    ).toBe(false);
  });
});
