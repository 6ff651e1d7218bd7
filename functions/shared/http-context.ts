import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** Who sent the request, as established by `verifySender`. */
export interface Sender {
  method: 'hmac' | 'bearer';
  /** The cluster the credentials speak for. */
  cluster: string;
  /** HMAC only: the signature remembered in the replay cache. */
  replayKey?: string;
}

export interface HttpContext extends Context {
  sender?: Sender;
}

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;
