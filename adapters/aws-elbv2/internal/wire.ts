// Value shapes (model.ts) ↔ SDK shapes, both ways, so that observe maps AWS state back into exactly
// what render produces and apply sends exactly what the values say.

import type {
  Action,
  RuleCondition as AwsCondition,
  RuleTransform as AwsTransform,
  CreateTargetGroupInput,
  Tag,
  TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  HealthCheckProtocol,
  HealthCheckValue,
  RuleAction,
  RuleCondition,
  RuleTransform,
  Tags,
  TargetGroupProtocol,
  TargetGroupValue,
} from '../model.js';

/** Extra tag apply puts on rules: their content id, so observe finds the same address. */
export const CONTENT_ID_TAG = 'portico.dev/content-id';
/** On a trust store: the SHA-256 of the CA bundle it was made from (AWS does not give the bundle back). */
export const CA_BUNDLE_TAG = 'portico.dev/ca-bundle-sha256';

export const toAwsTags = (tags: Tags): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export const fromAwsTags = (tags: readonly Tag[] | undefined): Tags =>
  Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));

export function toAwsTransform(t: RuleTransform): AwsTransform {
  const config = { Rewrites: [{ Regex: t.regex, Replace: t.replace }] };
  return t.type === 'host-header-rewrite'
    ? { Type: t.type, HostHeaderRewriteConfig: config }
    : { Type: t.type, UrlRewriteConfig: config };
}

export function fromAwsTransform(t: AwsTransform): RuleTransform {
  const config = t.Type === 'host-header-rewrite' ? t.HostHeaderRewriteConfig : t.UrlRewriteConfig;
  const rewrite = config?.Rewrites?.[0];
  return {
    type: t.Type === 'host-header-rewrite' ? 'host-header-rewrite' : 'url-rewrite',
    regex: rewrite?.Regex ?? '',
    replace: rewrite?.Replace ?? '',
  };
}

export function toAwsAction(a: RuleAction, arnOf: (tgName: string) => string): Action {
  switch (a.type) {
    case 'forward':
      return {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: a.targetGroups.map((t) => ({ TargetGroupArn: arnOf(t.name), Weight: t.weight })),
        },
      };
    case 'redirect':
      return {
        Type: 'redirect',
        RedirectConfig: {
          Protocol: a.protocol,
          Host: a.host,
          Port: a.port,
          Path: a.path,
          Query: a.query,
          StatusCode: a.statusCode,
        },
      };
    case 'fixed-response':
      return {
        Type: 'fixed-response',
        FixedResponseConfig: {
          StatusCode: a.statusCode,
          ContentType: a.contentType,
          MessageBody: a.messageBody,
        },
      };
  }
}

export function fromAwsAction(a: Action, nameOf: (tgArn: string) => string): RuleAction {
  if (a.Type === 'redirect') {
    const c: Partial<NonNullable<Action['RedirectConfig']>> = a.RedirectConfig ?? {};
    return {
      type: 'redirect',
      protocol: c.Protocol ?? '#{protocol}',
      host: c.Host ?? '#{host}',
      port: c.Port ?? '#{port}',
      path: c.Path ?? '/#{path}',
      query: c.Query ?? '#{query}',
      statusCode: (c.StatusCode ?? 'HTTP_301') as 'HTTP_301' | 'HTTP_302',
    };
  }
  if (a.Type === 'fixed-response') {
    const c = a.FixedResponseConfig ?? { StatusCode: '' };
    return {
      type: 'fixed-response',
      statusCode: c.StatusCode ?? '',
      contentType: 'text/plain',
      messageBody: c.MessageBody ?? '',
    };
  }
  const tgs =
    a.ForwardConfig?.TargetGroups && a.ForwardConfig.TargetGroups.length > 0
      ? a.ForwardConfig.TargetGroups.map((t) => ({
          name: nameOf(t.TargetGroupArn ?? ''),
          weight: t.Weight ?? 1,
        }))
      : a.TargetGroupArn
        ? [{ name: nameOf(a.TargetGroupArn), weight: 1 }]
        : [];
  return { type: 'forward', targetGroups: tgs };
}

export function toAwsCondition(c: RuleCondition): AwsCondition {
  switch (c.field) {
    case 'host-header':
      return { Field: c.field, HostHeaderConfig: { Values: c.values } };
    case 'path-pattern':
      return 'regexValues' in c
        ? { Field: c.field, PathPatternConfig: { RegexValues: c.regexValues } }
        : { Field: c.field, PathPatternConfig: { Values: c.values } };
    case 'http-header':
      return 'regexValues' in c
        ? {
            Field: c.field,
            HttpHeaderConfig: { HttpHeaderName: c.httpHeaderName, RegexValues: c.regexValues },
          }
        : { Field: c.field, HttpHeaderConfig: { HttpHeaderName: c.httpHeaderName, Values: c.values } };
    case 'query-string':
      return {
        Field: c.field,
        QueryStringConfig: { Values: c.values.map((v) => ({ Key: v.key, Value: v.value })) },
      };
    case 'http-request-method':
      return { Field: c.field, HttpRequestMethodConfig: { Values: c.values } };
  }
}

export function fromAwsCondition(c: AwsCondition): RuleCondition {
  switch (c.Field) {
    case 'host-header':
      return { field: 'host-header', values: c.HostHeaderConfig?.Values ?? c.Values ?? [] };
    case 'path-pattern':
      return c.PathPatternConfig?.RegexValues?.length
        ? { field: 'path-pattern', regexValues: c.PathPatternConfig.RegexValues }
        : { field: 'path-pattern', values: c.PathPatternConfig?.Values ?? c.Values ?? [] };
    case 'http-header': {
      const h = c.HttpHeaderConfig ?? {};
      return h.RegexValues?.length
        ? { field: 'http-header', httpHeaderName: h.HttpHeaderName ?? '', regexValues: h.RegexValues }
        : { field: 'http-header', httpHeaderName: h.HttpHeaderName ?? '', values: h.Values ?? [] };
    }
    case 'query-string':
      return {
        field: 'query-string',
        values: (c.QueryStringConfig?.Values ?? []).map((v) => ({ key: v.Key ?? '', value: v.Value ?? '' })),
      };
    default:
      return { field: 'http-request-method', values: c.HttpRequestMethodConfig?.Values ?? [] };
  }
}

export function healthCheckInput(
  hc: HealthCheckValue,
): Pick<
  CreateTargetGroupInput,
  | 'HealthCheckProtocol'
  | 'HealthCheckPort'
  | 'HealthCheckPath'
  | 'HealthCheckIntervalSeconds'
  | 'HealthCheckTimeoutSeconds'
  | 'HealthyThresholdCount'
  | 'UnhealthyThresholdCount'
  | 'Matcher'
> {
  return {
    HealthCheckProtocol: hc.protocol,
    HealthCheckPort: hc.port,
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThresholdCount,
    UnhealthyThresholdCount: hc.unhealthyThresholdCount,
    ...(hc.path !== undefined ? { HealthCheckPath: hc.path } : {}),
    ...(hc.matcher
      ? {
          Matcher:
            'httpCode' in hc.matcher ? { HttpCode: hc.matcher.httpCode } : { GrpcCode: hc.matcher.grpcCode },
        }
      : {}),
  };
}

/** `attributes`: the managed ones as observed (DescribeTargetGroupAttributes). */
export function targetGroupFromAws(
  tg: TargetGroup,
  tags: Tags,
  attributes: Record<string, string> = {},
): TargetGroupValue {
  const protocol = (tg.Protocol ?? 'HTTP') as TargetGroupProtocol;
  const hcProtocol = (tg.HealthCheckProtocol ?? 'TCP') as HealthCheckProtocol;
  const healthCheck: HealthCheckValue = {
    protocol: hcProtocol,
    port: tg.HealthCheckPort ?? 'traffic-port',
    intervalSeconds: tg.HealthCheckIntervalSeconds ?? 0,
    timeoutSeconds: tg.HealthCheckTimeoutSeconds ?? 0,
    healthyThresholdCount: tg.HealthyThresholdCount ?? 0,
    unhealthyThresholdCount: tg.UnhealthyThresholdCount ?? 0,
  };
  if (hcProtocol !== 'TCP') {
    if (tg.HealthCheckPath !== undefined) healthCheck.path = tg.HealthCheckPath;
    if (tg.Matcher?.GrpcCode !== undefined) healthCheck.matcher = { grpcCode: tg.Matcher.GrpcCode };
    else if (tg.Matcher?.HttpCode !== undefined) healthCheck.matcher = { httpCode: tg.Matcher.HttpCode };
  }
  const http = protocol === 'HTTP' || protocol === 'HTTPS';
  return {
    name: tg.TargetGroupName ?? '',
    protocol,
    ...(http && tg.ProtocolVersion
      ? { protocolVersion: tg.ProtocolVersion as 'HTTP1' | 'HTTP2' | 'GRPC' }
      : {}),
    port: tg.Port ?? 0,
    targetType: (tg.TargetType ?? 'ip') as 'ip',
    ipAddressType: tg.IpAddressType === 'ipv6' ? 'ipv6' : 'ipv4',
    vpcId: tg.VpcId ?? '',
    healthCheck,
    attributes,
    pool: '',
    tags,
  };
}
