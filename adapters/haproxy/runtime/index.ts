// The effectful half of the HAProxy adapter: process supervision, runtime API, files on disk, and
// the choice between a runtime update and a reload. See docs/haproxy-runtime.md.

export * from './apply-runtime.js';
export * from './cli-arguments.js';
export * from './config-store.js';
export * from './errors.js';
export * from './haproxy-binary.js';
export * from './haproxy-process.js';
export * from './master-client.js';
export * from './runtime-client.js';
export * from './validate-config.js';
