// A Compute v1 client per service over REST, as @google-cloud/compute's generated clients make it
// (google-gax's fallback transport: the same request encoding, transcoding, pagination, errors and
// `{ latestResponse }` answers of mutations), but with one protobuf root of compute-protos-data.ts's
// ~360 types shared by all clients, instead of the library's 12 MB protos.json and a root of all its
// 4,600 types per client: that cost seconds of cold start (bench/gcp-compute/RESULTS.md). A root per
// service was tried: 2.4x the CPU of the shared one for the 8 services an observe uses. Imported
// dynamically by clients.ts only: google-gax and google-auth-library come with it.

import { createApiCall, GrpcClient, PageDescriptor, routingHeader } from 'google-gax/fallback';

type GaxCall = ReturnType<typeof createApiCall>;
type GRPCCall = Exclude<Parameters<typeof createApiCall>[0], Promise<unknown>>;
type RequestType = Parameters<GaxCall>[0];

import type { ComputeClient, ComputeMethod, GcpClientOptions } from './clients.js';
import { COMPUTE_PACKAGE, type ComputeProtos, type ComputeService, packageOf } from './compute-protos.js';
import { COMPUTE_PROTOS_JSON } from './compute-protos-data.js';

let protos: ComputeProtos | undefined;
/** The root all clients share, built on the first client. */
let sharedRoot: ReturnType<GrpcClient['loadProtoJSON']> | undefined;
const loadProtos = (): ComputeProtos => {
  protos ??= JSON.parse(COMPUTE_PROTOS_JSON) as ComputeProtos;
  return protos;
};

/** The generated clients' scopes (Compute, and Cloud Platform). */
const SCOPES = ['https://www.googleapis.com/auth/compute', 'https://www.googleapis.com/auth/cloud-platform'];
const DEFAULT_ENDPOINT = 'compute.googleapis.com';

interface HttpRule {
  get?: string;
  post?: string;
  patch?: string;
  put?: string;
  delete?: string;
}
interface ProtoMethod {
  requestType: string;
  responseType: string;
  parsedOptions?: { '(google.api.http)'?: HttpRule }[];
}

/** `{project}/…/{url_map}` → the routing header's params, from the request's camelCase fields. */
function routingParams(method: ProtoMethod): [param: string, field: string][] {
  const rule = method.parsedOptions?.find((o) => o['(google.api.http)'])?.['(google.api.http)'];
  const path = rule && (rule.get ?? rule.post ?? rule.patch ?? rule.put ?? rule.delete);
  return [...(path ?? '').matchAll(/\{(\w+)\}/g)].map(([, p]) => [
    p!,
    p!.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
  ]);
}

const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);

/**
 * The client of one service: each method as the generated client names it (`get`, `insert`,
 * `attachNetworkEndpoints`, …), and `<method>Async` iterators for the paged ones.
 */
export function createComputeClient(service: ComputeService, opts: GcpClientOptions): ComputeClient {
  const all = loadProtos();
  const servicePath = opts.apiEndpoint ?? DEFAULT_ENDPOINT;
  const grpcOptions = {
    fallback: true,
    servicePath,
    port: opts.port ?? 443,
    ...(opts.protocol ? { protocol: opts.protocol } : {}),
    ...(opts.authClient ? { authClient: opts.authClient } : { scopes: SCOPES }),
  };
  const grpc = new GrpcClient(grpcOptions);
  if (servicePath === DEFAULT_ENDPOINT) (grpc.auth as { defaultScopes?: string[] }).defaultScopes = SCOPES;
  sharedRoot ??= grpc.loadProtoJSON(all.protos);
  const root = sharedRoot;
  const fullName = `${COMPUTE_PACKAGE}.${service}`;
  const header = `gax/${grpc.grpcVersion} gapic/${all.version} gl-node/${process.versions.node} rest/${grpc.grpcVersion}`;
  const defaults = grpc.constructSettings(
    fullName,
    all.configs[service] as object,
    {},
    {
      'x-goog-api-client': header,
    },
  );
  let terminated = false;
  // the stub is made on the first call (authentication set-up), as the generated clients do
  let stub: Promise<Record<string, (...args: unknown[]) => unknown>> | undefined;
  const stubOf = () => {
    stub ??= grpc.createStub(root.lookupService(fullName), grpcOptions, true) as unknown as Promise<
      Record<string, (...args: unknown[]) => unknown>
    >;
    return stub;
  };

  const client: Record<string, ComputeMethod> = {};
  const types = packageOf(all.protos);
  const methods = types[service]!.methods as Record<string, ProtoMethod>;
  for (const [protoName, method] of Object.entries(methods)) {
    const name = lowerFirst(protoName);
    const response = types[method.responseType];
    const paged = response?.fields?.nextPageToken && response.fields.items;
    const page = paged ? new PageDescriptor('pageToken', 'nextPageToken', 'items') : undefined;
    // mutations answer an Operation, which the generated clients wrap; the operations services' own don't
    const wrapsOperation = method.responseType === 'Operation' && !service.endsWith('Operations');
    const params = routingParams(method);
    let apiCall: GaxCall | undefined;
    const call = (): GaxCall => {
      apiCall ??= createApiCall(
        stubOf().then(
          (s) =>
            ((...args: unknown[]) => {
              if (terminated) return Promise.reject(new Error('The client has already been closed.'));
              return s[name]!(...args);
            }) as unknown as GRPCCall,
        ),
        defaults[name]!,
        page,
        true,
      );
      return apiCall;
    };
    const withHeaders = (request: Record<string, unknown>, options: object = {}) => ({
      ...options,
      otherArgs: {
        headers: {
          'x-goog-request-params': routingHeader.fromParams(
            Object.fromEntries(params.map(([p, f]) => [p, (request[f] as string | undefined) ?? ''])),
          ),
        },
      },
    });
    client[name] = async (request, options) => {
      const answer = (await call()(request as RequestType, withHeaders(request, options))) as unknown[];
      if (!wrapsOperation) return answer;
      const [response, next, raw] = answer as [{ id?: unknown }, unknown, unknown];
      return [
        { latestResponse: response, done: false, name: response.id, metadata: null, result: {} },
        next,
        raw,
      ];
    };
    if (page)
      client[`${name}Async`] = (request, options) =>
        page.asyncIterate(
          call(),
          request as RequestType,
          defaults[name]!.merge(withHeaders(request, options)),
        );
  }
  return Object.assign(client, {
    async close() {
      terminated = true;
      if (stub) ((await stub) as unknown as { close?: () => void }).close?.();
    },
  });
}
