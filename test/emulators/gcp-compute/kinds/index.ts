// The resource collections the emulator holds, and what differs between them.

import type { Kind } from '../kind.js';
import { prepareAddress } from './address.js';
import { prepareBackendBucket } from './backend-bucket.js';
import { prepareBackendService } from './backend-service.js';
import { prepareForwardingRule } from './forwarding-rule.js';
import { prepareHealthCheck } from './health-check.js';
import { prepareNetworkEndpointGroup } from './network-endpoint-group.js';
import { prepareSslCertificate } from './ssl-certificate.js';
import { prepareTargetHttpProxy, prepareTargetHttpsProxy } from './target-proxy.js';
import { prepareUrlMap } from './url-map.js';

export const KINDS: Record<string, Kind> = {
  urlMaps: {
    kind: 'compute#urlMap',
    noun: 'url_map',
    fingerprinted: true,
    methods: ['update', 'patch'],
    prepare: prepareUrlMap,
  },
  backendServices: {
    kind: 'compute#backendService',
    noun: 'backend_service',
    fingerprinted: true,
    methods: ['update', 'patch', 'setSecurityPolicy', 'getHealth'],
    prepare: prepareBackendService,
  },
  backendBuckets: {
    kind: 'compute#backendBucket',
    noun: 'backend_bucket',
    fingerprinted: false,
    methods: ['update', 'patch'],
    prepare: prepareBackendBucket,
  },
  healthChecks: {
    kind: 'compute#healthCheck',
    noun: 'health_check',
    fingerprinted: false,
    methods: ['update', 'patch'],
    prepare: prepareHealthCheck,
  },
  forwardingRules: {
    kind: 'compute#forwardingRule',
    noun: 'forwarding_rule',
    fingerprinted: true,
    methods: ['patch', 'setTarget', 'setLabels'],
    prepare: prepareForwardingRule,
  },
  targetHttpProxies: {
    kind: 'compute#targetHttpProxy',
    noun: 'target_http_proxy',
    fingerprinted: true,
    methods: ['patch', 'setUrlMap'],
    prepare: prepareTargetHttpProxy,
  },
  targetHttpsProxies: {
    kind: 'compute#targetHttpsProxy',
    noun: 'target_https_proxy',
    fingerprinted: true,
    methods: ['patch', 'setUrlMap', 'setSslCertificates', 'setCertificateMap'],
    prepare: prepareTargetHttpsProxy,
  },
  sslCertificates: {
    kind: 'compute#sslCertificate',
    noun: 'ssl_certificate',
    fingerprinted: false,
    methods: [],
    prepare: prepareSslCertificate,
  },
  networkEndpointGroups: {
    kind: 'compute#networkEndpointGroup',
    noun: 'network_endpoint_group',
    fingerprinted: false,
    methods: ['attachNetworkEndpoints', 'detachNetworkEndpoints', 'listNetworkEndpoints'],
    prepare: prepareNetworkEndpointGroup,
  },
  addresses: {
    kind: 'compute#address',
    noun: 'address',
    fingerprinted: false,
    methods: [],
    prepare: prepareAddress,
  },
};
