export * from './lb-key.js';
export type * from './load-balancer.js';
export * from './sort.js';
export * from './validate.js';
