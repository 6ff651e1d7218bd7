// core/index: who depends on whom. `record` asks affectedKeys() which load balancers a change
// touches; `reconcile` asks selectBundle() for the objects one load balancer needs. Pure: the
// DependencyGraph is an in-memory data structure, and a store-backed DependencyView can replace it.

export * from './affected-keys.js';
export * from './cluster-sets.js';
export * from './dependency-graph.js';
export * from './dependency-view.js';
export * from './lb-keys.js';
export * from './object-ref.js';
export * from './pod-selection.js';
export * from './references.js';
export * from './select-bundle.js';
