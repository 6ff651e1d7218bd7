import { describe, expect, it } from 'vitest';
import { noticeLine, statusTransitions } from '#cli/status-report.js';
import { terminalLines, terminalSafe } from '#cli/terminal-text.js';
import type { ObjectStatus } from '#core/status/types.js';

const HOSTILE = 'api\nerror: forged line\u001b[2J\u001b]0;title\u0007\u202eevil\u0085';
const RAW = /[\n\r\u001b\u0007\u202e\u0085]/;

describe('cli: terminal text', () => {
  it('escapes controls, line breaks, C1 and bidi characters in a value', () => {
    expect(terminalSafe(HOSTILE)).toBe('api\\nerror: forged line\\x1b[2J\\x1b]0;title\\x07\\u202eevil\\x85');
    expect(terminalSafe('plain name-1.example.com')).toBe('plain name-1.example.com');
  });

  it('keeps the line breaks of a block but escapes everything else', () => {
    expect(terminalLines('one\n\u001b[31mtwo\r\n')).toBe('one\n\\x1b[31mtwo\\r\n');
  });

  it('prints notices and status transitions with names and messages escaped', () => {
    const line = noticeLine({
      severity: 'error',
      code: 'InvalidObject',
      source: { kind: 'HTTPRoute', namespace: 'demo', name: HOSTILE },
      field: `spec.${HOSTILE}`,
      message: HOSTILE,
    });
    expect(line).not.toMatch(RAW);
    expect(line).toContain('api\\nerror: forged line');

    const status: ObjectStatus = {
      kind: 'Gateway',
      namespace: HOSTILE,
      name: HOSTILE,
      loadBalancers: [],
      status: {
        conditions: [{ type: 'Accepted', status: 'False', reason: HOSTILE, message: HOSTILE }],
        listeners: [],
        addresses: [{ type: 'IPAddress', value: HOSTILE }],
      },
    };
    const lines = [...statusTransitions([], [status]), ...statusTransitions([status], [])];
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).not.toMatch(RAW);
  });
});
