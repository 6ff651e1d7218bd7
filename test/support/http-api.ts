// A local stand-in for API Gateway HTTP API (payload format 2.0): real HTTP requests become
// APIGatewayProxyEventV2 events for the route's handler, and the handler's result is written back.
// Unknown path → 404, known path with another method → 405, bodies over 10 MB → 413 (API Gateway's
// payload limit), as `{"message": ...}` like API Gateway's own answers.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { listenLocal } from '#test/emulators/local-server.js';

export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

export interface HttpApi {
  url: string;
  close(): Promise<void>;
}

export const HTTP_API_MAX_PAYLOAD = 10 * 1024 * 1024;

const TEXT_TYPES = /^(text\/|application\/(json|.*\+json|xml|.*\+xml|x-www-form-urlencoded|javascript))/i;

/** Starts a server on 127.0.0.1 for `routes` (`'POST /events'` → handler). */
export async function startHttpApi(routes: Record<string, HttpApiHandler>): Promise<HttpApi> {
  const table = new Map<string, Map<string, HttpApiHandler>>();
  for (const [route, handler] of Object.entries(routes)) {
    const [method, path] = route.split(' ') as [string, string];
    if (!table.has(path)) table.set(path, new Map());
    table.get(path)!.set(method.toUpperCase(), handler);
  }
  const server = await listenLocal(async (req, res) => {
    const reply = (status: number, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message }));
    };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const methods = table.get(url.pathname);
      if (!methods) return reply(404, 'Not Found');
      const handler = methods.get(req.method ?? 'GET');
      if (!handler) return reply(405, 'Method Not Allowed');
      const body = await readBody(req);
      if (body === undefined) return reply(413, 'Request Entity Too Large');
      const event = toEvent(req, url, body);
      const result = await handler(event, lambdaContext());
      writeResult(res, result);
    } catch {
      if (!res.headersSent) reply(500, 'Internal Server Error');
    }
  });
  return { url: server.endpoint, close: () => server.close() };
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > HTTP_API_MAX_PAYLOAD) return undefined;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

function toEvent(req: IncomingMessage, url: URL, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') cookies.push(...value.split(';').map((c) => c.trim()));
    // API Gateway joins repeated headers with commas
    else headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const contentType = headers['content-type'] ?? '';
  const binary = body.length > 0 && !TEXT_TYPES.test(contentType);
  const method = req.method ?? 'GET';
  const now = new Date();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: `${method} ${url.pathname}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${method} ${url.pathname}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: binary,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (url.search.length > 1) event.queryStringParameters = query;
  if (body.length > 0) event.body = binary ? body.toString('base64') : body.toString('utf8');
  return event;
}

function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2): void {
  // A result that is not a structured one is taken as a 200 JSON body (payload 2.0 rules).
  if (typeof result === 'string' || result === undefined || !('statusCode' in (result as object))) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(typeof result === 'string' ? result : JSON.stringify(result));
    return;
  }
  const r = result as APIGatewayProxyStructuredResultV2;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k] = String(v);
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  res.writeHead(r.statusCode ?? 200, headers);
  res.end(r.body === undefined ? undefined : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body);
}

function lambdaContext(): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'ingest',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ingest',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/ingest',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, 28_000 - (Date.now() - started)),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
