import { describe, expect, it } from 'vitest';
import { createJsonLogger, errorFields } from '#logging/logger.js';

const at = new Date('2025-11-20T10:00:00.000Z');

function lines(service: string, log: (logger: ReturnType<typeof createJsonLogger>) => void) {
  const written: string[] = [];
  log(createJsonLogger({ service, write: (line) => written.push(line), now: () => at }));
  return written;
}

describe('createJsonLogger: the one log format of the functions and the forwarder', () => {
  it('writes one JSON object per line: level, msg, time, service, then the fields', () => {
    const written = lines('forwarder', (logger) => {
      logger.info('running', { httpPort: 8080 });
      logger.warn('status patch failed', { object: 'Gateway/a/b', message: 'conflict' });
      logger.error('stopped');
    });
    expect(written).toEqual([
      '{"level":"info","msg":"running","time":"2025-11-20T10:00:00.000Z","service":"forwarder","httpPort":8080}',
      '{"level":"warn","msg":"status patch failed","time":"2025-11-20T10:00:00.000Z","service":"forwarder","object":"Gateway/a/b","message":"conflict"}',
      '{"level":"error","msg":"stopped","time":"2025-11-20T10:00:00.000Z","service":"forwarder"}',
    ]);
  });

  it('names the function that wrote the line', () => {
    const [line] = lines('reconcile', (logger) => logger.info('reconciled', { key: 'haproxy/gw/a/b' }));
    expect(JSON.parse(line!)).toEqual({
      level: 'info',
      msg: 'reconciled',
      time: at.toISOString(),
      service: 'reconcile',
      key: 'haproxy/gw/a/b',
    });
  });
});

describe('errorFields', () => {
  it('keeps an error’s name and message, never its stack', () => {
    const fields = errorFields(new RangeError('too big'));
    expect(fields).toEqual({ error: 'RangeError', detail: 'too big' });
    expect(JSON.stringify(fields)).not.toContain('at ');
  });

  it('describes a thrown value that is not an Error', () => {
    expect(errorFields('gone')).toEqual({ error: 'Error', detail: 'gone' });
  });
});
