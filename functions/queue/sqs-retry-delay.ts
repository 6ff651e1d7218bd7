import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { RetryDelay } from '#functions/queue/retry-delay.js';

/** SQS's longest visibility timeout. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;

/**
 * RetryDelay on SQS: ChangeMessageVisibility of the failed record, on the queue its
 * `eventSourceARN` names (resolved once per queue with GetQueueUrl, so endpoints configured for the
 * client, such as an emulator's, are honoured).
 */
export class SqsRetryDelay implements RetryDelay {
  readonly #client: SQSClient;
  readonly #urls = new Map<string, Promise<string>>();

  constructor(options: { client: SQSClient }) {
    this.#client = options.client;
  }

  async delay(record: SQSRecord, seconds: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    const queueUrl = await this.#queueUrl(record.eventSourceARN, options.signal);
    await this.#client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.round(seconds))),
      }),
      options.signal ? { abortSignal: options.signal } : {},
    );
  }

  #queueUrl(arn: string, signal?: AbortSignal): Promise<string> {
    let url = this.#urls.get(arn);
    if (!url) {
      // arn:aws:sqs:<region>:<account>:<name>
      const [, , service, , account, name] = arn.split(':');
      if (service !== 'sqs' || !account || !name) {
        return Promise.reject(new Error(`not an SQS queue ARN: ${arn}`));
      }
      url = this.#client
        .send(
          new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
          signal ? { abortSignal: signal } : {},
        )
        .then((out) => {
          if (!out.QueueUrl) throw new Error(`GetQueueUrl returned no URL for ${name}`);
          return out.QueueUrl;
        });
      url.catch(() => this.#urls.delete(arn));
      this.#urls.set(arn, url);
    }
    return url;
  }
}
