// `npm run conformance -- DIR [options]`: runs every NAME.expect.json of DIR against a conformance target
// and prints each failure with its reason, then exactly `N passed, M failed, K skipped` (counting cases).
//
//   --target <module>        target factory module (default #test/conformance/haproxy-target.js)
//   --features A,B           claim only these (a subset of the GatewayClass's status.supportedFeatures)
//   --report FILE            write an upstream ConformanceReport (YAML) for the run
//   --gateway-class <name>   substituted for {GATEWAY_CLASS_NAME} (default portico)
//   --controller-name <n>    the GatewayClass controllerName (default portico.dev/gateway-controller)
//   --timeouts "K:s;K2:s"    upstream timeout overrides, e.g. "MaxTimeToConsistency:10"
//   --run A,B                only these tests (by name)
//   --verbose                progress lines on stderr

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EchoBackends } from './echo-backends.js';
import { claimedFeatures } from './features.js';
import { buildConformanceReport, type ReportOptions, writeConformanceReport } from './report.js';
import {
  countedResults,
  type ItemResult,
  type RunnerOptions,
  runScenario,
  type ScenarioResult,
} from './runner.js';
import {
  DEFAULT_GATEWAY_CLASS_NAME,
  listScenarioFiles,
  loadScenario,
  PORTICO_CONTROLLER_NAME,
} from './scenario.js';
import { type ConformanceTarget, loadTargetFactory } from './target.js';
import { parseTimeoutOverrides } from './timeouts.js';

export const DEFAULT_TARGET_MODULE = '#test/conformance/haproxy-target.js';

export interface CliOptions {
  dir: string;
  target: string;
  features: string[];
  gatewayClassName: string;
  controllerName: string;
  timeouts: string;
  run: string[];
  verbose: boolean;
  report?: string;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const out: CliOptions = {
    dir: '',
    target: DEFAULT_TARGET_MODULE,
    features: [],
    gatewayClassName: DEFAULT_GATEWAY_CLASS_NAME,
    controllerName: PORTICO_CONTROLLER_NAME,
    timeouts: '',
    run: [],
    verbose: false,
  };
  const list = (v: string) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--target':
        out.target = value();
        break;
      case '--features':
        out.features.push(...list(value()));
        break;
      case '--gateway-class':
        out.gatewayClassName = value();
        break;
      case '--controller-name':
        out.controllerName = value();
        break;
      case '--timeouts':
        out.timeouts = value();
        break;
      case '--run':
        out.run.push(...list(value()));
        break;
      case '--report':
        out.report = value();
        break;
      case '--verbose':
        out.verbose = true;
        break;
      default:
        if (flag.startsWith('--')) throw new Error(`unknown option ${flag}`);
        if (out.dir !== '') throw new Error(`one directory only (got ${out.dir} and ${flag})`);
        out.dir = flag;
    }
  }
  if (out.dir === '')
    throw new Error(
      'usage: npm run conformance -- DIR [--target module] [--features A,B] [--timeouts "K:s"] [--report FILE]',
    );
  return out;
}

export interface DirectoryRun {
  results: ScenarioResult[];
  /** What the run claimed, and what the GatewayClass reported as supported. */
  claimed: string[];
  supported: string[] | undefined;
  /** Scenario files that could not be loaded, with the error. */
  loadErrors: { file: string; error: string }[];
  passed: number;
  failed: number;
  skipped: number;
}

/** Runs every scenario of `dir` (sorted by file name) against one target, sequentially. */
export async function runDirectory(
  dir: string,
  target: ConformanceTarget,
  options: Omit<RunnerOptions, 'backends'> & {
    backends?: EchoBackends;
    gatewayClassName?: string;
    controllerName?: string;
    only?: readonly string[];
    /** `--features`: narrow the claimed set (default: all the GatewayClass supports). */
    narrowFeatures?: readonly string[];
    onResult?: (r: ScenarioResult) => void;
  },
): Promise<DirectoryRun> {
  const backends = options.backends ?? new EchoBackends();
  const supported = options.features
    ? undefined
    : await discoverSupportedFeatures(
        target,
        options.gatewayClassName ?? DEFAULT_GATEWAY_CLASS_NAME,
        options.controllerName ?? PORTICO_CONTROLLER_NAME,
      );
  const features = options.features ?? claimedFeatures(supported, options.narrowFeatures);
  const run: DirectoryRun = {
    results: [],
    claimed: [...features].sort(),
    supported,
    loadErrors: [],
    passed: 0,
    failed: 0,
    skipped: 0,
  };
  try {
    for (const file of listScenarioFiles(dir)) {
      let loaded: ReturnType<typeof loadScenario>;
      try {
        loaded = loadScenario(file, {
          ...(options.gatewayClassName ? { gatewayClassName: options.gatewayClassName } : {}),
          ...(options.controllerName ? { controllerName: options.controllerName } : {}),
        });
      } catch (err) {
        run.loadErrors.push({ file, error: err instanceof Error ? err.message : String(err) });
        run.failed++;
        continue;
      }
      if (options.only && options.only.length > 0 && !options.only.includes(loaded.expect.test)) continue;
      const result = await runScenario(loaded, target, { ...options, features, backends });
      run.results.push(result);
      for (const r of countedResults(result)) run[r.outcome]++;
      options.onResult?.(result);
    }
  } finally {
    if (!options.backends) await backends.close();
  }
  return run;
}

/**
 * What the suite GatewayClass reports in `status.supportedFeatures` once the target has accepted it
 * (upstream infers the claimed features the same way); undefined when the target reports none.
 */
export async function discoverSupportedFeatures(
  target: ConformanceTarget,
  gatewayClassName: string,
  controllerName: string,
  timeoutMs = 10_000,
): Promise<string[] | undefined> {
  await target.apply([
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: gatewayClassName, generation: 1 },
      spec: { controllerName },
    },
  ]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const st = await target.status('GatewayClass', '', gatewayClassName);
    const accepted =
      Array.isArray(st?.conditions) &&
      st.conditions.some((c) => (c as { type?: string }).type === 'Accepted');
    if (accepted || Date.now() > deadline) {
      const list = Array.isArray(st?.supportedFeatures) ? st.supportedFeatures : [];
      const names = list
        .map((f) => (typeof f === 'string' ? f : (f as { name?: unknown })?.name))
        .filter((n): n is string => typeof n === 'string');
      return names.length > 0 ? names : undefined;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The lines printed for one test: a header, then every failure (counted or not) with its reason. */
export function formatResult(r: ScenarioResult): string[] {
  const counted = countedResults(r);
  const n = (o: ItemResult['outcome']) => counted.filter((c) => c.outcome === o).length;
  const verdict = n('failed') > 0 ? 'FAIL' : n('passed') === 0 && n('skipped') > 0 ? 'SKIP' : 'PASS';
  const lines = [
    `${verdict} ${r.test} (${n('passed')} passed, ${n('failed')} failed, ${n('skipped')} skipped)`,
  ];
  if (verdict === 'SKIP') lines.push(`  ${r.skipped ?? counted[0]?.reason ?? ''}`);
  if (r.setupFailure) lines.push(`  ${r.setupFailure}`);
  for (const item of [...r.statusChecks, ...r.cases]) {
    if (item.outcome === 'failed' && !item.blocked) lines.push(`  ✗ ${item.reason}`);
  }
  const notRun = [...r.statusChecks, ...r.cases].filter((i) => i.blocked).length;
  if (notRun > 0) lines.push(`  (${notRun} more not run because of the failure above)`);
  return lines;
}

export async function main(argv: readonly string[]): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const specifier =
    opts.target.startsWith('.') || opts.target.startsWith('/')
      ? pathToFileURL(resolve(opts.target)).href
      : opts.target;
  let factory: Awaited<ReturnType<typeof loadTargetFactory>>;
  try {
    factory = await loadTargetFactory(specifier);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const target = await factory({
    gatewayClassName: opts.gatewayClassName,
    controllerName: opts.controllerName,
  });
  let run: DirectoryRun;
  try {
    run = await runDirectory(resolve(opts.dir), target, {
      narrowFeatures: opts.features,
      timeouts: parseTimeoutOverrides(opts.timeouts),
      gatewayClassName: opts.gatewayClassName,
      controllerName: opts.controllerName,
      only: opts.run,
      ...(opts.verbose ? { onProgress: (l: string) => console.error(`  … ${l}`) } : {}),
      onResult: (r) => {
        for (const line of formatResult(r)) console.log(line);
      },
    });
  } finally {
    await target.close();
  }
  for (const e of run.loadErrors) console.log(`FAIL ${e.file}\n  ✗ could not load: ${e.error}`);
  if (opts.report) {
    const reportOptions: ReportOptions = { mode: 'default' };
    writeConformanceReport(opts.report, buildConformanceReport(run, reportOptions));
    console.log(`report written to ${opts.report}`);
  }
  console.log(`claimed features: ${run.claimed.join(', ')}`);
  console.log(`${run.passed} passed, ${run.failed} failed, ${run.skipped} skipped`);
  return run.failed > 0 ? 1 : 0;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(2);
    },
  );
}
