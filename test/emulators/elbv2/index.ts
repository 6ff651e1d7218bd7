// A stateful local emulator of the AWS ELBv2 (ALB/NLB) Query API for tests (docs/design.md §8), used through
// the real `@aws-sdk/client-elastic-load-balancing-v2` over a real socket:
//
//   const emu = await startElbv2Emulator({ limits: { rulesPerLoadBalancer: 10 } });
//   const elb = createElbv2Client(emu, { region: 'eu-west-1', maxAttempts: 5 });
//   emu.setFaults({ throttle: LBC_THROTTLES, serverErrors: { probability: 0.05 }, latency: { ms: 20 } });
//   emu.failNext({ pattern: '^CreateRule$', code: 'TooManyRules' });
//   ... emu.stats().byAction.RegisterTargets, emu.stats().mutating, emu.calls ...
//   emu.service.setTargetHealth('eu-west-1', tgArn, '10.0.0.1', { State: 'unhealthy', Reason: 'Target.Timeout' });
//   // Target health as ELB's probes make it, on the test's clock (service.ts `healthChecks`):
//   const sim = await startElbv2Emulator({ healthChecks: 'simulated', now: () => clock });
//   sim.service.failHealthChecks('10.0.0.1', { port: 8080 }); clock += 30_000; sim.service.passHealthChecks('10.0.0.1');
//   elb.destroy(); await emu.close();
//
// protocol.ts: wire format; service.ts: state, validation, quotas; limits.ts: quota defaults;
// ../health-checks.ts: the probes behind simulated target health;
// server.ts: HTTP, SigV4 presence, fault injection, counters; client.ts: the SDK client helper.

export { createElbv2Client, type Elbv2ClientOptions } from './client.js';
export { DEFAULT_LIMITS, type Elbv2Limits } from './limits.js';
export {
  type ActionPattern,
  AWS_DOC_THROTTLES,
  type CallRecord,
  type CallStats,
  Elbv2Emulator,
  type Elbv2EmulatorOptions,
  type FaultConfig,
  isReadAction,
  type LatencyRule,
  LBC_THROTTLES,
  type ScriptedError,
  startElbv2Emulator,
  type TokenBucketRule,
} from './server.js';
export { Elbv2Service, type ServiceOptions } from './service.js';
