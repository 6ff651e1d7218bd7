import { HttpMethod, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import { fetch } from 'undici';
import { KubeApiError } from './kube-api-error.js';

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API path below the server, e.g. `/apis/gateway.networking.k8s.io/v1/gateways`. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** For PATCH: `application/merge-patch+json` by default. */
  contentType?: string;
  signal?: AbortSignal;
}

/**
 * Raw JSON requests to the API server of a kubeconfig, authenticated and dispatched (TLS, proxies,
 * tokens, exec plugins) exactly as @kubernetes/client-node does it. Raw, because Portico wants the
 * objects as the server sent them: the generated typed clients turn timestamps into Dates and drop
 * fields they do not know, while the informers' watch events stay plain JSON.
 */
export class KubeHttp {
  constructor(
    readonly kubeConfig: KubeConfig,
    readonly options: { timeoutMs?: number; userAgent?: string } = {},
  ) {}

  /** The server URL of the current context. */
  get server(): string {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    return cluster.server.replace(/\/+$/, '');
  }

  async request<T = unknown>(req: KubeRequest): Promise<T> {
    const url = new URL(this.server + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const ctx = new RequestContext(url.toString(), HttpMethod[req.method]);
    await this.kubeConfig.applySecurityAuthentication(ctx);
    const headers: Record<string, string> = {
      ...ctx.getHeaders(),
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'portico',
    };
    if (req.body !== undefined)
      headers['content-type'] =
        req.contentType ?? (req.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      const dispatcher = ctx.getDispatcher();
      res = await fetch(url, {
        method: req.method,
        headers,
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        ...(dispatcher ? { dispatcher } : {}),
        signal,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new KubeApiError(
        req.method,
        req.path,
        0,
        undefined,
        cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err)),
      );
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      const status = body as { reason?: string; message?: string } | undefined;
      throw new KubeApiError(
        req.method,
        req.path,
        res.status,
        status?.reason,
        status?.message ?? (text.slice(0, 200) || res.statusText),
      );
    }
    if (body === undefined) throw new KubeApiError(req.method, req.path, res.status, undefined, 'not JSON');
    return body as T;
  }
}
