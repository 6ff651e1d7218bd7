import { describe, expect, it } from 'vitest';
import { configWithoutSlotContents, serverLines } from '#adapters/haproxy/runtime/server-lines.js';

// apply-runtime skips a reload only when two configs differ in slot contents; a server at a socket
// (a mixed TLS listener's terminator) is not a slot, or every apply would see slots come and go.

const cfg = [
  'backend be_a',
  '  mode tcp',
  '  server s1 10.0.0.1:80 weight 1 check',
  '',
  'backend tlsterm_x',
  '  mode tcp',
  '  server tls abns@portico-abc send-proxy-v2',
].join('\n');

describe('server lines of a config', () => {
  it('reads IP servers as slots and leaves socket servers out', () => {
    expect([...serverLines(cfg).keys()]).toEqual(['be_a/s1']);
  });

  it('keeps a socket server line whole when slot contents are blanked', () => {
    const out = configWithoutSlotContents(cfg, new Set(['be_a/s1', 'tlsterm_x/tls']));
    expect(out).toContain('  server s1 <slot> check');
    expect(out).toContain('  server tls abns@portico-abc send-proxy-v2');
  });
});
