// The AWS ELBv2 adapter: createElbv2Adapter (adapter.ts), its pure half (parameters, render,
// quotas, capabilities, diff spec) and its SDK half (observe, apply, listOwnedKeys).

export {
  createElbv2Adapter,
  type Elbv2Adapter,
  type Elbv2AdapterOptions,
  type Elbv2PureHalf,
  elbv2PureHalf,
} from './adapter.js';
export { applyElbv2 } from './apply.js';
export { ALB_CAPABILITIES, ELBV2_CAPABILITIES, ELBV2_LIMITS, NLB_CAPABILITIES } from './capabilities.js';
export { elbv2DiffSpec, elbv2References } from './diff-spec.js';
export { fixedResponse, scaleWeights } from './internal/actions.js';
export { conditionCost, matchConditions, prefixPatterns } from './internal/conditions.js';
export { catchAllPositions, hostCovers } from './internal/host-scope.js';
export { checkRuleConditions, type Elbv2Limits, QuotaBudget } from './internal/quotas.js';
export * from './model.js';
export { loadBalancerName, ruleContentId, targetGroupName } from './naming.js';
export { listOwnedKeysElbv2, observeElbv2 } from './observe.js';
export {
  type AwsElbv2Parameters,
  awsElbv2Parameters,
  CERTIFICATE_ARN_PATTERN,
  loadBalancerAttributes,
  parseParameters,
} from './parameters.js';
export {
  type Elbv2RenderOptions,
  listenerAddress,
  loadBalancerType,
  renderElbv2,
  ruleAddress,
} from './render.js';
