// A tiny emulator of AWS Systems Manager Parameter Store for tests: AWS JSON 1.1 (POST `/`,
// `X-Amz-Target: AmazonSSM.<Action>`, `Content-Type: application/x-amz-json-1.1`), GetParameter
// (SecureStrings returned decrypted only WithDecryption, as AWS does) and PutParameter (for set-up),
// ParameterNotFound, scripted failures, call counts. Used through the real `@aws-sdk/client-ssm`.

import { SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import { type LocalServer, listenLocal } from '../local-server.js';

interface Parameter {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  modifiedAt: number;
}

class SsmError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export class SsmEmulator {
  readonly region = 'us-east-1';
  readonly parameters = new Map<string, Parameter>();
  readonly calls: Record<string, number> = {};
  #server: LocalServer | undefined;
  #failures: { action: string; code: string; status: number; left: number }[] = [];

  get endpoint(): string {
    return this.#server?.endpoint ?? 'http://127.0.0.1:0';
  }

  async start(): Promise<this> {
    this.#server = await listenLocal(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = target.replace(/^AmazonSSM\./, '');
      this.calls[action] = (this.calls[action] ?? 0) + 1;
      try {
        if (
          !target.startsWith('AmazonSSM.') ||
          !String(req.headers['content-type']).startsWith('application/x-amz-json-1.1')
        ) {
          throw new SsmError('InvalidAction', `unsupported request ${target}`);
        }
        if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
          throw new SsmError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
        }
        const failure = this.#failures.find((f) => f.left > 0 && f.action === action);
        if (failure) {
          failure.left--;
          throw new SsmError(failure.code, `injected ${failure.code}`, failure.status);
        }
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        const out = this.#dispatch(action, input);
        res.writeHead(200, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': crypto.randomUUID(),
        });
        res.end(JSON.stringify(out));
      } catch (error) {
        const e = error instanceof SsmError ? error : new SsmError('InternalServerError', String(error), 500);
        res.writeHead(e.status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': crypto.randomUUID(),
        });
        res.end(JSON.stringify({ __type: e.code, message: e.message }));
      }
    });
    return this;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }

  /** The next `count` calls of `action` fail with `code` (e.g. `InternalServerError`, 500; `ThrottlingException`). */
  failNext(
    action: string,
    code: string,
    status = code === 'InternalServerError' ? 500 : 400,
    count = 1,
  ): void {
    this.#failures.push({ action, code, status, left: count });
  }

  /** Set-up without a client. */
  put(name: string, value: string, type: Parameter['type'] = 'SecureString'): void {
    const prev = this.parameters.get(name);
    this.parameters.set(name, {
      name,
      type,
      value,
      version: (prev?.version ?? 0) + 1,
      modifiedAt: Date.now(),
    });
  }

  #dispatch(action: string, input: Record<string, unknown>): unknown {
    switch (action) {
      case 'PutParameter': {
        const name = String(input.Name ?? '');
        const prev = this.parameters.get(name);
        if (prev && input.Overwrite !== true) {
          throw new SsmError(
            'ParameterAlreadyExists',
            'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
          );
        }
        if (!/^\/?[A-Za-z0-9_.\-/]{1,2048}$/.test(name)) {
          throw new SsmError(
            'ValidationException',
            'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).',
          );
        }
        const type = (input.Type as Parameter['type'] | undefined) ?? prev?.type ?? 'String';
        this.put(name, String(input.Value ?? ''), type);
        return { Version: this.parameters.get(name)!.version, Tier: 'Standard' };
      }
      case 'GetParameter': {
        const name = String(input.Name ?? '');
        const p = this.parameters.get(name);
        if (!p) throw new SsmError('ParameterNotFound', '');
        const decrypt = input.WithDecryption === true;
        const value =
          p.type === 'SecureString' && !decrypt
            ? `kms:encrypted:${Buffer.from(p.value).toString('base64')}`
            : p.value;
        return {
          Parameter: {
            Name: p.name,
            Type: p.type,
            Value: value,
            Version: p.version,
            LastModifiedDate: p.modifiedAt / 1000,
            ARN: `arn:aws:ssm:${this.region}:000000000000:parameter${p.name.startsWith('/') ? '' : '/'}${p.name}`,
            DataType: 'text',
          },
        };
      }
      default:
        throw new SsmError('InvalidAction', `${action} is not supported by this emulator`);
    }
  }
}

export async function startSsmEmulator(): Promise<SsmEmulator> {
  return new SsmEmulator().start();
}

export function createSsmClient(emulator: SsmEmulator, config: SSMClientConfig = {}): SSMClient {
  return new SSMClient({
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...config,
  });
}
