import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { withFileLimitRaised } from '#adapters/haproxy/runtime/haproxy-process.js';

// HAProxy derives maxconn from its soft RLIMIT_NOFILE: the start wrapper raises it to the hard
// limit. Run for real under a lowered soft limit, with a shell standing in for HAProxy.

describe('withFileLimitRaised', () => {
  it('runs the program with the soft file limit raised to the hard one, arguments intact', () => {
    const hard = execFileSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
    const [file, args] = withFileLimitRaised('/bin/sh', [
      '-c',
      'echo "$(ulimit -Sn) $1"',
      'sh',
      "it's a $HOME",
    ]);
    const out = execFileSync('/bin/sh', ['-c', 'ulimit -Sn 512 && exec "$@"', 'sh', file, ...args], {
      encoding: 'utf8',
    });
    expect(out.trim()).toBe(`${hard} it's a $HOME`);
    expect(hard).not.toBe('512');
  });
});
