// The state of the SQS emulator: queues, messages, FIFO groups, deduplication, visibility, redrive.
// Held to the behaviour AWS documents for SQS (Developer Guide "FIFO queue delivery logic", "Exactly-once
// processing", "Using dead-letter queues", "Visibility timeout", and the API reference's validation and
// error codes). Time comes from an injectable clock, so tests can run minutes of queue time in
// milliseconds. Pure state: the HTTP side (server.ts) turns requests into these calls.

import { createHash, randomUUID } from 'node:crypto';

/** An SQS error as the API names it: `code` is the Smithy error name the SDK exposes as `error.name`. */
export class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly senderFault = status < 500,
  ) {
    super(message);
    this.name = code;
  }
}

export const DEFAULT_MAX_MESSAGE_BYTES = 262_144;
export const DEDUP_WINDOW_MS = 5 * 60_000;
const PURGE_COOLDOWN_MS = 60_000;

export interface SqsServiceOptions {
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  region?: string;
  accountId?: string;
  /** Largest message and batch payload in bytes (default 262,144 = 256 KiB). */
  maxMessageBytes?: number;
}

export interface QueueAttributes {
  DelaySeconds: number;
  VisibilityTimeout: number;
  MaximumMessageSize: number;
  MessageRetentionPeriod: number;
  ReceiveMessageWaitTimeSeconds: number;
  FifoQueue: boolean;
  ContentBasedDeduplication: boolean;
  DeduplicationScope: 'queue' | 'messageGroup';
  FifoThroughputLimit: 'perQueue' | 'perMessageGroupId';
  RedrivePolicy?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

export interface StoredMessage {
  messageId: string;
  body: string;
  md5: string;
  groupId?: string;
  dedupId?: string;
  sequenceNumber: string;
  sentAt: number;
  /** Visible again (or for the first time, after a delay) at this time. */
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** The receipt handle of the latest receive. */
  receipt?: string;
  /** Where it came from when it was dead-lettered. */
  deadLetterSourceArn?: string;
}

export interface QueueState {
  name: string;
  arn: string;
  attributes: QueueAttributes;
  createdAt: number;
  modifiedAt: number;
  /** In send order (= sequence order). */
  messages: StoredMessage[];
  /** dedup scope key → when first seen, and the message it produced. */
  dedup: Map<string, { at: number; messageId: string; sequenceNumber: string }>;
  lastPurgeAt?: number;
}

export interface SendInput {
  MessageBody?: string;
  DelaySeconds?: number;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

export interface SendResult {
  MessageId: string;
  MD5OfMessageBody: string;
  SequenceNumber?: string;
}

export interface ReceiveOptions {
  max?: number;
  visibilityTimeout?: number;
}

export interface ReceivedMessage {
  message: StoredMessage;
  receiptHandle: string;
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');
const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Alphanumerics and punctuation, as AWS allows in MessageGroupId and MessageDeduplicationId. */
const FIFO_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF */
const INVALID_BODY_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const invalid = (message: string) => new SqsError('InvalidParameterValue', message);
const missing = (name: string) =>
  new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);

export class SqsService {
  readonly now: () => number;
  readonly region: string;
  readonly accountId: string;
  readonly maxMessageBytes: number;
  readonly #queues = new Map<string, QueueState>();
  #sequence = 10_000_000_000_000_000_000n;
  #listeners = new Set<() => void>();

  constructor(options: SqsServiceOptions = {}) {
    this.now = options.now ?? Date.now;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Called whenever a message may have become receivable (long polling wakes up on it). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const l of this.#listeners) l();
  }

  // --- queues -------------------------------------------------------------------------------------

  createQueue(name: string, raw: Record<string, string> = {}): QueueState {
    if (!name) throw missing('QueueName');
    const fifoName = name.endsWith('.fifo');
    const base = fifoName ? name.slice(0, -5) : name;
    if (!QUEUE_NAME.test(base) || name.length > 80) {
      throw invalid('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    }
    const attributes = this.#parseAttributes(raw, undefined);
    if (attributes.FifoQueue !== fifoName) {
      throw invalid(
        fifoName
          ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length. FifoQueue must be true.'
          : 'The name of a FIFO queue must end with the .fifo suffix.',
      );
    }
    const existing = this.#queues.get(name);
    if (existing) {
      const same = JSON.stringify(existing.attributes) === JSON.stringify(attributes);
      if (!same) {
        throw new SqsError(
          'QueueNameExists',
          `A queue already exists with the same name and a different value for attribute(s)`,
        );
      }
      return existing;
    }
    const now = this.now();
    const queue: QueueState = {
      name,
      arn: `arn:aws:sqs:${this.region}:${this.accountId}:${name}`,
      attributes,
      createdAt: now,
      modifiedAt: now,
      messages: [],
      dedup: new Map(),
    };
    this.#queues.set(name, queue);
    return queue;
  }

  setQueueAttributes(name: string, raw: Record<string, string>): void {
    const q = this.queue(name);
    if ('FifoQueue' in raw) throw invalid('Reason: Modifying queue type is not supported.');
    q.attributes = this.#parseAttributes({ ...stringify(q.attributes), ...raw }, q);
    q.modifiedAt = this.now();
  }

  deleteQueue(name: string): void {
    this.queue(name);
    this.#queues.delete(name);
  }

  queue(name: string): QueueState {
    const q = this.#queues.get(name);
    if (!q) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return q;
  }

  queueByArn(arn: string): QueueState | undefined {
    for (const q of this.#queues.values()) if (q.arn === arn) return q;
    return undefined;
  }

  queueNames(): string[] {
    return [...this.#queues.keys()].sort();
  }

  #parseAttributes(raw: Record<string, string>, current: QueueState | undefined): QueueAttributes {
    const known = new Set([
      'DelaySeconds',
      'VisibilityTimeout',
      'MaximumMessageSize',
      'MessageRetentionPeriod',
      'ReceiveMessageWaitTimeSeconds',
      'FifoQueue',
      'ContentBasedDeduplication',
      'DeduplicationScope',
      'FifoThroughputLimit',
      'RedrivePolicy',
      'SqsManagedSseEnabled',
      'KmsMasterKeyId',
      'KmsDataKeyReusePeriodSeconds',
      'Policy',
      'RedriveAllowPolicy',
    ]);
    for (const k of Object.keys(raw)) {
      if (!known.has(k)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${k}.`);
    }
    const int = (key: string, def: number, min: number, max: number): number => {
      const v = raw[key];
      if (v === undefined || v === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${key}.`);
      }
      return n;
    };
    const bool = (key: string): boolean => {
      const v = raw[key];
      if (v === undefined) return false;
      if (v !== 'true' && v !== 'false') {
        throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${key}.`);
      }
      return v === 'true';
    };
    const fifo = current ? current.attributes.FifoQueue : bool('FifoQueue');
    const a: QueueAttributes = {
      DelaySeconds: int('DelaySeconds', 0, 0, 900),
      VisibilityTimeout: int('VisibilityTimeout', 30, 0, 43_200),
      MaximumMessageSize: int('MaximumMessageSize', this.maxMessageBytes, 1024, this.maxMessageBytes),
      MessageRetentionPeriod: int('MessageRetentionPeriod', 345_600, 60, 1_209_600),
      ReceiveMessageWaitTimeSeconds: int('ReceiveMessageWaitTimeSeconds', 0, 0, 20),
      FifoQueue: fifo,
      ContentBasedDeduplication: bool('ContentBasedDeduplication'),
      DeduplicationScope: (raw.DeduplicationScope ?? 'queue') as QueueAttributes['DeduplicationScope'],
      FifoThroughputLimit: (raw.FifoThroughputLimit ?? 'perQueue') as QueueAttributes['FifoThroughputLimit'],
    };
    if (!['queue', 'messageGroup'].includes(a.DeduplicationScope)) {
      throw new SqsError('InvalidAttributeValue', 'Invalid value for the parameter DeduplicationScope.');
    }
    if (!['perQueue', 'perMessageGroupId'].includes(a.FifoThroughputLimit)) {
      throw new SqsError('InvalidAttributeValue', 'Invalid value for the parameter FifoThroughputLimit.');
    }
    for (const k of ['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']) {
      if (!fifo && k in raw) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${k}.`);
    }
    if (a.FifoThroughputLimit === 'perMessageGroupId' && a.DeduplicationScope !== 'messageGroup') {
      throw new SqsError(
        'InvalidAttributeValue',
        'Invalid value for the parameter FifoThroughputLimit. Reason: perMessageGroupId requires DeduplicationScope messageGroup.',
      );
    }
    if (raw.RedrivePolicy) {
      let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
      try {
        policy = JSON.parse(raw.RedrivePolicy);
      } catch {
        throw new SqsError('InvalidAttributeValue', 'Invalid value for the parameter RedrivePolicy.');
      }
      const max = Number(policy.maxReceiveCount);
      if (typeof policy.deadLetterTargetArn !== 'string' || !Number.isInteger(max) || max < 1 || max > 1000) {
        throw new SqsError(
          'InvalidAttributeValue',
          'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.',
        );
      }
      const target = this.queueByArn(policy.deadLetterTargetArn);
      if (!target) {
        throw new SqsError(
          'InvalidAttributeValue',
          'Value for parameter RedrivePolicy is invalid. Reason: Dead-letter target does not exist.',
        );
      }
      if (target.attributes.FifoQueue !== fifo) {
        throw new SqsError(
          'InvalidAttributeValue',
          'Value for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be the same type as the source queue.',
        );
      }
      a.RedrivePolicy = { deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: max };
    }
    return a;
  }

  /** The attributes GetQueueAttributes returns (all of them). */
  queueAttributes(name: string): Record<string, string> {
    const q = this.queue(name);
    const now = this.now();
    this.#expire(q, now);
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of q.messages) {
      if (m.visibleAt <= now) visible++;
      else if (m.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return {
      ...stringify(q.attributes),
      QueueArn: q.arn,
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.modifiedAt / 1000)),
    };
  }

  purgeQueue(name: string): void {
    const q = this.queue(name);
    const now = this.now();
    if (q.lastPurgeAt !== undefined && now - q.lastPurgeAt < PURGE_COOLDOWN_MS) {
      throw new SqsError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`,
        403,
      );
    }
    q.lastPurgeAt = now;
    q.messages = [];
  }

  // --- sending ------------------------------------------------------------------------------------

  /** Validates one message for `q`; throws the error SendMessage would return. */
  validateSend(q: QueueState, input: SendInput): void {
    const body = input.MessageBody;
    if (body === undefined || body === '') throw missing('MessageBody');
    if (INVALID_BODY_CHAR.test(body)) {
      throw new SqsError(
        'InvalidMessageContents',
        'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      );
    }
    const size = byteLength(body);
    if (size > q.attributes.MaximumMessageSize) {
      throw invalid(
        `One or more parameters are invalid. Reason: Message must be shorter than ${q.attributes.MaximumMessageSize} bytes.`,
      );
    }
    if (q.attributes.FifoQueue) {
      if (input.DelaySeconds !== undefined && input.DelaySeconds !== 0) {
        throw invalid(
          `Value ${input.DelaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
        );
      }
      if (input.MessageGroupId === undefined) throw missing('MessageGroupId');
      if (!FIFO_ID.test(input.MessageGroupId)) {
        throw invalid(`Value ${input.MessageGroupId} for parameter MessageGroupId is invalid.`);
      }
      if (input.MessageDeduplicationId === undefined) {
        if (!q.attributes.ContentBasedDeduplication) {
          throw invalid(
            'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
          );
        }
      } else if (!FIFO_ID.test(input.MessageDeduplicationId)) {
        throw invalid(
          `Value ${input.MessageDeduplicationId} for parameter MessageDeduplicationId is invalid.`,
        );
      }
    } else {
      if (input.MessageDeduplicationId !== undefined) {
        throw invalid(
          'The request includes a parameter that is not valid for this queue type. Reason: MessageDeduplicationId is only valid for FIFO queues.',
        );
      }
      if (input.DelaySeconds !== undefined && (input.DelaySeconds < 0 || input.DelaySeconds > 900)) {
        throw invalid(`Value ${input.DelaySeconds} for parameter DelaySeconds is invalid.`);
      }
    }
  }

  /** Stores one validated message (a duplicate within the dedup window is accepted and dropped). */
  store(q: QueueState, input: SendInput): SendResult {
    const body = input.MessageBody!;
    const now = this.now();
    const result: SendResult = { MessageId: '', MD5OfMessageBody: md5(body) };
    if (q.attributes.FifoQueue) {
      const dedupId = input.MessageDeduplicationId ?? sha256(body);
      const key =
        q.attributes.DeduplicationScope === 'messageGroup'
          ? `${input.MessageGroupId}\u0000${dedupId}`
          : dedupId;
      const seen = q.dedup.get(key);
      if (seen && now - seen.at < DEDUP_WINDOW_MS) {
        return { ...result, MessageId: seen.messageId, SequenceNumber: seen.sequenceNumber };
      }
      const sequenceNumber = String(this.#sequence++);
      const messageId = randomUUID();
      q.dedup.set(key, { at: now, messageId, sequenceNumber });
      q.messages.push({
        messageId,
        body,
        md5: result.MD5OfMessageBody,
        groupId: input.MessageGroupId!,
        dedupId,
        sequenceNumber,
        sentAt: now,
        visibleAt: now + q.attributes.DelaySeconds * 1000,
        receiveCount: 0,
      });
      this.#changed();
      return { ...result, MessageId: messageId, SequenceNumber: sequenceNumber };
    }
    const messageId = randomUUID();
    q.messages.push({
      messageId,
      body,
      md5: result.MD5OfMessageBody,
      ...(input.MessageGroupId !== undefined && { groupId: input.MessageGroupId }),
      sequenceNumber: String(this.#sequence++),
      sentAt: now,
      visibleAt: now + (input.DelaySeconds ?? q.attributes.DelaySeconds) * 1000,
      receiveCount: 0,
    });
    this.#changed();
    return { ...result, MessageId: messageId };
  }

  send(name: string, input: SendInput): SendResult {
    const q = this.queue(name);
    this.validateSend(q, input);
    return this.store(q, input);
  }

  // --- receiving ----------------------------------------------------------------------------------

  /**
   * Receives up to `max` messages. FIFO: a message group with a message in flight is skipped (order
   * within a group), and messages of one group are returned together as far as possible. Messages
   * received `maxReceiveCount` times already move to the dead-letter queue instead.
   */
  receive(name: string, opts: ReceiveOptions = {}): ReceivedMessage[] {
    const q = this.queue(name);
    const max = opts.max ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw invalid(
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const vt = opts.visibilityTimeout ?? q.attributes.VisibilityTimeout;
    if (!Number.isInteger(vt) || vt < 0 || vt > 43_200) {
      throw invalid(
        `Value ${vt} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`,
      );
    }
    const now = this.now();
    this.#expire(q, now);
    this.#redrive(q, now);

    const picked: StoredMessage[] = [];
    if (q.attributes.FifoQueue) {
      const blocked = new Set<string>();
      for (const m of q.messages) if (m.visibleAt > now) blocked.add(m.groupId!);
      const taken = new Set<string>();
      for (const m of q.messages) {
        if (picked.length >= max) break;
        const g = m.groupId!;
        if (blocked.has(g) || taken.has(g)) continue;
        taken.add(g);
        // as many messages of this group as possible, in order
        for (const n of q.messages) {
          if (picked.length >= max) break;
          if (n.groupId === g) picked.push(n);
        }
      }
    } else {
      for (const m of q.messages) {
        if (picked.length >= max) break;
        if (m.visibleAt <= now) picked.push(m);
      }
    }
    return picked.map((m) => {
      m.receiveCount++;
      m.firstReceiveAt ??= now;
      m.visibleAt = now + vt * 1000;
      m.receipt = `${m.messageId}#${randomUUID()}`;
      return {
        message: m,
        receiptHandle: `${Buffer.from(`${q.name}\u0000${m.receipt}`).toString('base64')}`,
      };
    });
  }

  /** Moves visible messages received `maxReceiveCount` times to the dead-letter queue. */
  #redrive(q: QueueState, now: number): void {
    const policy = q.attributes.RedrivePolicy;
    if (!policy) return;
    const dlq = this.queueByArn(policy.deadLetterTargetArn);
    if (!dlq) return;
    const stay: StoredMessage[] = [];
    let moved = false;
    for (const m of q.messages) {
      if (m.visibleAt <= now && m.receiveCount >= policy.maxReceiveCount) {
        const { receipt: _r, ...rest } = m;
        dlq.messages.push({ ...rest, visibleAt: now, deadLetterSourceArn: q.arn });
        moved = true;
      } else stay.push(m);
    }
    q.messages = stay;
    if (moved) this.#changed();
  }

  /** Drops messages older than the retention period. */
  #expire(q: QueueState, now: number): void {
    const limit = q.attributes.MessageRetentionPeriod * 1000;
    if (q.messages.some((m) => now - m.sentAt >= limit)) {
      q.messages = q.messages.filter((m) => now - m.sentAt < limit);
    }
  }

  #byReceipt(name: string, handle: string): { q: QueueState; m?: StoredMessage; current: boolean } {
    const q = this.queue(name);
    let decoded: string;
    try {
      decoded = Buffer.from(handle, 'base64').toString('utf8');
    } catch {
      decoded = '';
    }
    const [queueName, receipt] = decoded.split('\u0000');
    if (!receipt || queueName !== name || !receipt.includes('#')) {
      throw new SqsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${handle}" is not a valid receipt handle.`,
        404,
      );
    }
    const messageId = receipt.slice(0, receipt.indexOf('#'));
    const m = q.messages.find((x) => x.messageId === messageId);
    return m ? { q, m, current: m.receipt === receipt } : { q, current: false };
  }

  /**
   * Deletes the message received with `handle`. A handle of an earlier receive deletes nothing and
   * succeeds (as AWS documents); a handle of a message already deleted succeeds.
   */
  deleteMessage(name: string, handle: string): void {
    const { q, m, current } = this.#byReceipt(name, handle);
    if (!m || !current) return;
    q.messages = q.messages.filter((x) => x !== m);
    this.#changed();
  }

  changeVisibility(name: string, handle: string, timeoutSeconds: number): void {
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0 || timeoutSeconds > 43_200) {
      throw invalid(
        `Value ${timeoutSeconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`,
      );
    }
    const { m, current } = this.#byReceipt(name, handle);
    const now = this.now();
    if (!m || !current) {
      throw new SqsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${handle}" is not a valid for this message.`,
        404,
      );
    }
    if (m.visibleAt <= now) {
      throw new SqsError(
        'MessageNotInflight',
        'Message does not exist or is not available for visibility timeout change.',
      );
    }
    m.visibleAt = now + timeoutSeconds * 1000;
    if (timeoutSeconds === 0) this.#changed();
  }

  /** Every message of a queue (tests: inspection only). */
  peek(name: string): readonly StoredMessage[] {
    return this.queue(name).messages;
  }

  /** The bodies of a queue's messages in order (tests). */
  bodies(name: string): string[] {
    return this.queue(name).messages.map((m) => m.body);
  }
}

function stringify(a: QueueAttributes): Record<string, string> {
  const out: Record<string, string> = {
    DelaySeconds: String(a.DelaySeconds),
    VisibilityTimeout: String(a.VisibilityTimeout),
    MaximumMessageSize: String(a.MaximumMessageSize),
    MessageRetentionPeriod: String(a.MessageRetentionPeriod),
    ReceiveMessageWaitTimeSeconds: String(a.ReceiveMessageWaitTimeSeconds),
  };
  if (a.FifoQueue) {
    out.FifoQueue = 'true';
    out.ContentBasedDeduplication = String(a.ContentBasedDeduplication);
    out.DeduplicationScope = a.DeduplicationScope;
    out.FifoThroughputLimit = a.FifoThroughputLimit;
  }
  if (a.RedrivePolicy) out.RedrivePolicy = JSON.stringify(a.RedrivePolicy);
  return out;
}
