export * from './adapter.js';
export * from './cloud.js';
export * from './diff-spec.js';
export * from './naming.js';
export * from './render.js';
export * from './resources.js';
