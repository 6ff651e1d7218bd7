// The HTTP side of the SQS emulator: a real server on 127.0.0.1 (ephemeral port) speaking the protocol
// of the installed @aws-sdk/client-sqs: AWS JSON 1.0 (POST `/`, `X-Amz-Target: AmazonSQS.<Action>`,
// `Content-Type: application/x-amz-json-1.0`), errors as `{ __type, message }` plus the
// `x-amzn-query-error: <query code>;Sender|Receiver` header that the SDK (awsQueryCompatible) reads.
// Queue URLs are `<endpoint>/<account>/<name>`, so the SDK may also use them as its endpoint.
// Long polling, fault injection (scripted errors, per-entry SendMessageBatch failures, latency) and
// per-action call counters.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LocalServer, listenLocal } from '../local-server.js';
import { type SendInput, SqsError, SqsService, type SqsServiceOptions } from './service.js';

/** The query-protocol code AWS sends in `x-amzn-query-error` for each error (the SDK maps it back). */
const QUERY_CODES: Record<string, string> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  PurgeQueueInProgress: 'AWS.SimpleQueueService.PurgeQueueInProgress',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
};

export type ActionPattern = RegExp | string;

export interface ScriptedFailure {
  /** Action name (exact string) or RegExp. */
  action: ActionPattern;
  /** Error code, e.g. `InternalError` (500), `ServiceUnavailable` (503), `RequestThrottled`, `QueueDoesNotExist`. */
  code: string;
  status?: number;
  message?: string;
  /** How many matching calls fail (default 1). */
  count?: number;
}

export interface EntryFailure {
  /** How many of the next SendMessageBatch entries fail (default 1). */
  count?: number;
  /** BatchResultErrorEntry.Code (default `InternalError`). */
  code?: string;
  /** BatchResultErrorEntry.SenderFault (default false). */
  senderFault?: boolean;
  /** Only entries whose body passes this test (default all). */
  match?: (entry: { Id: string; MessageBody: string; MessageGroupId?: string }) => boolean;
}

export interface SqsEmulatorOptions extends SqsServiceOptions {}

export class SqsEmulator {
  readonly service: SqsService;
  /** Calls per action (failed and injected calls included). */
  readonly calls: Record<string, number> = {};
  #server: LocalServer | undefined;
  #scripted: { re: RegExp; failure: ScriptedFailure; left: number }[] = [];
  #entryFailures: (EntryFailure & { left: number })[] = [];
  #latency: { re?: RegExp; ms: number }[] = [];

  constructor(options: SqsEmulatorOptions = {}) {
    this.service = new SqsService(options);
  }

  get endpoint(): string {
    return this.#server?.endpoint ?? 'http://127.0.0.1:0';
  }

  /** The URL of queue `name` (whether or not it exists). */
  queueUrl(name: string): string {
    return `${this.endpoint}/${this.service.accountId}/${name}`;
  }

  async start(): Promise<this> {
    this.#server = await listenLocal((req, res) => {
      this.#onRequest(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.#error(res, new SqsError('InternalError', String(error), 500));
      });
    });
    return this;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }

  // --- fault injection ----------------------------------------------------------------------------

  /** The next `count` calls of `action` fail with `code` (HTTP `status`: 500 for InternalError, 503 for ServiceUnavailable, else 400). */
  failNext(failure: ScriptedFailure): void {
    const re = typeof failure.action === 'string' ? new RegExp(`^${failure.action}$`) : failure.action;
    this.#scripted.push({ re, failure, left: failure.count ?? 1 });
  }

  /** The next entries of SendMessageBatch calls fail individually (reported in `Failed[]`, not stored). */
  failEntries(failure: EntryFailure = {}): void {
    this.#entryFailures.push({ ...failure, left: failure.count ?? 1 });
  }

  /** Adds `ms` of latency to every call (or to the calls of `action`). */
  addLatency(ms: number, action?: ActionPattern): void {
    const re =
      action === undefined ? undefined : typeof action === 'string' ? new RegExp(`^${action}$`) : action;
    this.#latency.push(re ? { re, ms } : { ms });
  }

  clearFaults(): void {
    this.#scripted = [];
    this.#entryFailures = [];
    this.#latency = [];
  }

  // --- HTTP ---------------------------------------------------------------------------------------

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || !target.startsWith('AmazonSQS.')) {
      return this.#error(
        res,
        new SqsError('UnsupportedOperation', `unsupported request ${req.method} ${target}`),
      );
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.0')) {
      return this.#error(
        res,
        new SqsError('InvalidParameterValue', 'Content-Type must be application/x-amz-json-1.0'),
      );
    }
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      return this.#error(
        res,
        new SqsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403),
      );
    }
    const action = target.slice('AmazonSQS.'.length);
    this.calls[action] = (this.calls[action] ?? 0) + 1;

    const delay = this.#latency.filter((l) => !l.re || l.re.test(action)).reduce((t, l) => t + l.ms, 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));

    const scripted = this.#scripted.find((s) => s.left > 0 && s.re.test(action));
    if (scripted) {
      scripted.left--;
      const { code, message, status } = scripted.failure;
      const st = status ?? (code === 'InternalError' ? 500 : code === 'ServiceUnavailable' ? 503 : 400);
      return this.#error(res, new SqsError(code, message ?? `injected ${code}`, st));
    }

    let input: Record<string, unknown>;
    try {
      input = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return this.#error(res, new SqsError('SerializationException', 'body is not JSON'));
    }
    try {
      const out = await this.#dispatch(action, input, res);
      res.writeHead(200, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': crypto.randomUUID(),
      });
      res.end(JSON.stringify(out));
    } catch (error) {
      if (error instanceof SqsError) return this.#error(res, error);
      throw error;
    }
  }

  #error(res: ServerResponse, error: SqsError): void {
    const query = QUERY_CODES[error.code] ?? error.code;
    res.writeHead(error.status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': crypto.randomUUID(),
      'x-amzn-query-error': `${query};${error.senderFault ? 'Sender' : 'Receiver'}`,
    });
    res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${error.code}`, message: error.message }));
  }

  #queueName(input: Record<string, unknown>): string {
    const url = input.QueueUrl;
    if (typeof url !== 'string' || url === '')
      throw new SqsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      throw new SqsError('InvalidAddress', `The address ${url} is not valid for this endpoint.`, 404);
    }
    const parts = path.split('/').filter(Boolean);
    if (parts.length !== 2 || parts[0] !== this.service.accountId) {
      throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    }
    return parts[1]!;
  }

  async #dispatch(action: string, input: Record<string, unknown>, res: ServerResponse): Promise<unknown> {
    const s = this.service;
    switch (action) {
      case 'CreateQueue': {
        const q = s.createQueue(
          String(input.QueueName ?? ''),
          (input.Attributes ?? {}) as Record<string, string>,
        );
        return { QueueUrl: this.queueUrl(q.name) };
      }
      case 'GetQueueUrl': {
        const q = s.queue(String(input.QueueName ?? ''));
        return { QueueUrl: this.queueUrl(q.name) };
      }
      case 'ListQueues':
        return { QueueUrls: s.queueNames().map((n) => this.queueUrl(n)) };
      case 'DeleteQueue':
        s.deleteQueue(this.#queueName(input));
        return {};
      case 'GetQueueAttributes': {
        const all = s.queueAttributes(this.#queueName(input));
        const names = (input.AttributeNames as string[] | undefined) ?? [];
        if (names.includes('All')) return { Attributes: all };
        const out: Record<string, string> = {};
        for (const n of names) {
          if (!(n in all) && !KNOWN_QUEUE_ATTRIBUTES.has(n)) {
            throw new SqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
          }
          if (n in all) out[n] = all[n]!;
        }
        return names.length ? { Attributes: out } : {};
      }
      case 'SetQueueAttributes':
        s.setQueueAttributes(this.#queueName(input), (input.Attributes ?? {}) as Record<string, string>);
        return {};
      case 'PurgeQueue':
        s.purgeQueue(this.#queueName(input));
        return {};
      case 'SendMessage': {
        const out = s.send(this.#queueName(input), input as SendInput);
        return out;
      }
      case 'SendMessageBatch':
        return this.#sendBatch(this.#queueName(input), input);
      case 'ReceiveMessage':
        return this.#receive(this.#queueName(input), input, res);
      case 'DeleteMessage':
        s.deleteMessage(this.#queueName(input), requireHandle(input.ReceiptHandle));
        return {};
      case 'DeleteMessageBatch': {
        const name = this.#queueName(input);
        return eachEntry(input.Entries, (e) => s.deleteMessage(name, requireHandle(e.ReceiptHandle)));
      }
      case 'ChangeMessageVisibility':
        s.changeVisibility(
          this.#queueName(input),
          requireHandle(input.ReceiptHandle),
          Number(input.VisibilityTimeout),
        );
        return {};
      case 'ChangeMessageVisibilityBatch': {
        const name = this.#queueName(input);
        return eachEntry(input.Entries, (e) =>
          s.changeVisibility(name, requireHandle(e.ReceiptHandle), Number(e.VisibilityTimeout)),
        );
      }
      default:
        throw new SqsError('UnsupportedOperation', `${action} is not supported by this emulator`);
    }
  }

  #sendBatch(name: string, input: Record<string, unknown>): unknown {
    const q = this.service.queue(name);
    const entries = checkBatch(input.Entries) as (SendInput & { Id: string })[];
    const total = entries.reduce((t, e) => t + Buffer.byteLength(String(e.MessageBody ?? ''), 'utf8'), 0);
    if (total > q.attributes.MaximumMessageSize) {
      throw new SqsError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${q.attributes.MaximumMessageSize} bytes. You have sent ${total} bytes.`,
      );
    }
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const e of entries) {
      const injected = this.#entryFailures.find(
        (f) =>
          f.left > 0 &&
          (!f.match ||
            f.match({
              Id: e.Id,
              MessageBody: String(e.MessageBody ?? ''),
              ...(e.MessageGroupId !== undefined && { MessageGroupId: e.MessageGroupId }),
            })),
      );
      if (injected) {
        injected.left--;
        const code = injected.code ?? 'InternalError';
        Failed.push({
          Id: e.Id,
          Code: code,
          Message: `injected ${code}`,
          SenderFault: injected.senderFault ?? false,
        });
        continue;
      }
      try {
        this.service.validateSend(q, e);
        Successful.push({ Id: e.Id, ...this.service.store(q, e) });
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        Failed.push({ Id: e.Id, Code: error.code, Message: error.message, SenderFault: error.senderFault });
      }
    }
    return { Successful, Failed };
  }

  async #receive(name: string, input: Record<string, unknown>, res: ServerResponse): Promise<unknown> {
    let gone = false;
    res.once('close', () => {
      gone = true;
    });
    const q = this.service.queue(name);
    const wait =
      input.WaitTimeSeconds === undefined
        ? q.attributes.ReceiveMessageWaitTimeSeconds
        : Number(input.WaitTimeSeconds);
    if (!Number.isInteger(wait) || wait < 0 || wait > 20) {
      throw new SqsError(
        'InvalidParameterValue',
        `Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      );
    }
    const opts = {
      ...(input.MaxNumberOfMessages !== undefined && { max: Number(input.MaxNumberOfMessages) }),
      ...(input.VisibilityTimeout !== undefined && { visibilityTimeout: Number(input.VisibilityTimeout) }),
    };
    const wanted = new Set([
      ...((input.AttributeNames as string[] | undefined) ?? []),
      ...((input.MessageSystemAttributeNames as string[] | undefined) ?? []),
    ]);
    const deadline = Date.now() + wait * 1000;
    let received = this.service.receive(name, opts);
    while (received.length === 0 && Date.now() < deadline && !gone && this.#server) {
      await new Promise<void>((resolve) => {
        const off = this.service.onChange(done);
        // visibility timeouts and delays expire with the (injectable) clock: look again now and then
        const timer = setTimeout(done, Math.min(20, Math.max(0, deadline - Date.now())));
        function done() {
          off();
          clearTimeout(timer);
          resolve();
        }
      });
      // a poller that went away takes nothing (its messages would only wait out their visibility)
      if (gone || !this.#server) break;
      received = this.service.receive(name, opts);
    }
    const all = wanted.has('All');
    return {
      Messages: received.map(({ message: m, receiptHandle }) => {
        const attributes: Record<string, string> = {};
        const add = (k: string, v: string | undefined) => {
          if (v !== undefined && (all || wanted.has(k))) attributes[k] = v;
        };
        add('ApproximateReceiveCount', String(m.receiveCount));
        add(
          'ApproximateFirstReceiveTimestamp',
          m.firstReceiveAt === undefined ? undefined : String(m.firstReceiveAt),
        );
        add('SentTimestamp', String(m.sentAt));
        add('SenderId', 'AIDAEMULATOR');
        add('MessageGroupId', m.groupId);
        add('MessageDeduplicationId', m.dedupId);
        add('SequenceNumber', q.attributes.FifoQueue ? m.sequenceNumber : undefined);
        add('DeadLetterQueueSourceArn', m.deadLetterSourceArn);
        return {
          MessageId: m.messageId,
          ReceiptHandle: receiptHandle,
          MD5OfBody: m.md5,
          Body: m.body,
          ...(Object.keys(attributes).length > 0 && { Attributes: attributes }),
        };
      }),
    };
  }
}

const KNOWN_QUEUE_ATTRIBUTES = new Set([
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'RedriveAllowPolicy',
  'RedrivePolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

function requireHandle(handle: unknown): string {
  if (typeof handle !== 'string' || handle === '') {
    throw new SqsError('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
  }
  return handle;
}

/** The batch rules shared by every *Batch action: 1-10 entries, distinct ids of the allowed form. */
function checkBatch(entries: unknown): ({ Id: string } & Record<string, unknown>)[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new SqsError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  }
  if (entries.length > 10) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
    );
  }
  const ids = new Set<string>();
  for (const e of entries as { Id?: unknown }[]) {
    if (typeof e.Id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(e.Id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (ids.has(e.Id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${e.Id} repeated.`);
    ids.add(e.Id);
  }
  return entries as ({ Id: string } & Record<string, unknown>)[];
}

export async function startSqsEmulator(options: SqsEmulatorOptions = {}): Promise<SqsEmulator> {
  return new SqsEmulator(options).start();
}

/** A batch action's reply: each entry succeeds or fails on its own, as SQS answers batches. */
function eachEntry(
  raw: unknown,
  apply: (entry: Record<string, unknown> & { Id: string }) => void,
): { Successful: { Id: string }[]; Failed: unknown[] } {
  const Successful: { Id: string }[] = [];
  const Failed: unknown[] = [];
  for (const e of checkBatch(raw)) {
    try {
      apply(e);
      Successful.push({ Id: e.Id });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      Failed.push({ Id: e.Id, Code: error.code, Message: error.message, SenderFault: error.senderFault });
    }
  }
  return { Successful, Failed };
}
