export * from './conditions.js';
export * from './merge.js';
export * from './programmed.js';
export * from './provider-notices.js';
export * from './release.js';
export type * from './types.js';
