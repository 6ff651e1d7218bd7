// The AWS ELBv2 adapter: createElbv2Adapter (adapter.ts), its pure half (parameters, render,
// quotas, capabilities, diff spec) and its SDK half (observe, apply, listOwnedKeys).

export { fixedResponse, scaleWeights } from './actions.js';
export { createElbv2Adapter, type Elbv2Adapter, type Elbv2AdapterOptions } from './adapter.js';
export { applyElbv2 } from './apply.js';
export { ALB_CAPABILITIES, ELBV2_CAPABILITIES, ELBV2_LIMITS, NLB_CAPABILITIES } from './capabilities.js';
export { conditionCost, matchConditions, prefixPatterns } from './conditions.js';
export { elbv2DiffSpec, elbv2References } from './diff-spec.js';
export { catchAllPositions, hostCovers } from './host-scope.js';
export { listOwnedKeysElbv2 } from './list-owned.js';
export * from './model.js';
export { loadBalancerName, ruleContentId, targetGroupName } from './naming.js';
export { type Elbv2Memory, observeElbv2 } from './observe.js';
export {
  type AwsElbv2Parameters,
  awsElbv2Parameters,
  CERTIFICATE_ARN_PATTERN,
  loadBalancerAttributes,
  parseParameters,
} from './parameters.js';
export { type Elbv2PureHalf, elbv2PureHalf } from './pure-half.js';
export { checkRuleConditions, type Elbv2Limits, QuotaBudget } from './quotas.js';
export {
  type Elbv2RenderOptions,
  listenerAddress,
  loadBalancerType,
  renderElbv2,
  ruleAddress,
} from './render.js';
