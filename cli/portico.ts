// `portico`: the command line. `portico dev` runs a local gateway on HAProxy from a folder of
// manifests or from a cluster (kubeconfig), writing statuses back into the cluster in the latter case;
// `portico status` prints what the last `portico dev` reported, like `kubectl get -o yaml`.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkSlotMinimum } from '#adapters/haproxy/model.js';
import { parseDurationFlag } from './duration-flag.js';
import { STATUS_FILE } from './status-file.js';
import { terminalLines, terminalSafe } from './terminal-text.js';
import { parseZoneFlag } from './zone-flag.js';

const USAGE = `usage:
  portico dev --manifests DIR [--address-pool 127.0.0.2-127.0.0.254] [--state-dir .portico] [--demo-backends]
              [--zone ZONE]
  portico dev --kubeconfig FILE [--context NAME] [--address-pool ...] [--state-dir ...] [--demo-backends]
              [--zone ZONE]
  portico plan --provider aws-elbv2|gcp-compute|haproxy (--manifests DIR | --kubeconfig FILE [--context NAME])
               [--cluster ID] [--observe [--region R] [--gcp-project P] [--state-dir DIR]]
      what would change: in an empty account, or (--observe) against what the provider runs, read only
      (aws-elbv2: the default AWS credential chain, --region or AWS_REGION; haproxy: --state-dir;
      gcp-compute: Application Default Credentials, --gcp-project or the parameters' project)
  portico status [--state-dir .portico]

  --haproxy-master-socket PATH  program an HAProxy you run yourself (master-worker, started with
                                -W -S PATH -C <state-dir>/haproxy -f haproxy.cfg) instead of starting one
  --haproxy-slot-minimum N      server slots every HAProxy backend has at least, 1 to 1024 (default 8);
                                each costs HAProxy a file descriptor: 1 or 2 for thousands of Services
  --resync-interval DURATION    reconcile every load balancer this often, changed or not, putting back
                                what drifted in HAProxy (default 5m; 0 turns it off; e.g. 30s, 1h)
  --zone ZONE                   the zone this HAProxy runs in (a topology.kubernetes.io/zone value):
                                Services with trafficDistribution PreferClose (or topology hints) are
                                served by this zone's endpoints, other zones' are backup servers;
                                without it such Services use every endpoint alike, with a warning

  portico dev reads one cluster (a folder, or one kubeconfig context), so it takes no clusterset
  configuration: ServiceImports reach that cluster's own exported endpoints. Clustersets are the
  functions' PORTICO_CLUSTER_SETS (a,b;c,d), where several clusters' forwarders send events.`;

/** A usage error: printed with the usage, exit code 2. */
class UsageError extends Error {}

/** `--haproxy-slot-minimum`: a whole number the HAProxy adapter accepts as its slotMinimum. */
function slotMinimumFlag(value: string): number {
  try {
    if (!/^[0-9]{1,5}$/.test(value)) throw new RangeError();
    return checkSlotMinimum(Number(value));
  } catch {
    throw new UsageError(
      `--haproxy-slot-minimum takes a whole number from 1 to 1024, got ${JSON.stringify(value)}`,
    );
  }
}

function zoneFlag(value: string): string {
  try {
    return parseZoneFlag(value);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function durationFlag(flag: string, value: string): number {
  try {
    return parseDurationFlag(flag, value);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      manifests: { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      'address-pool': { type: 'string', default: '127.0.0.2-127.0.0.254' },
      'state-dir': { type: 'string', default: '.portico' },
      'haproxy-master-socket': { type: 'string' },
      provider: { type: 'string' },
      cluster: { type: 'string' },
      observe: { type: 'boolean', default: false },
      region: { type: 'string' },
      'gcp-project': { type: 'string' },
      'demo-backends': { type: 'boolean', default: false },
      debounce: { type: 'string', default: '150' },
      'haproxy-slot-minimum': { type: 'string' },
      'resync-interval': { type: 'string' },
      zone: { type: 'string' },
    },
    strict: true,
  });
  // Commands escape the values they print; this catches what one missed (never a line break).
  const log = (line: string) => console.log(terminalLines(line));
  switch (command) {
    case 'dev': {
      if (!values.manifests === !values.kubeconfig) {
        console.error(`portico dev: give exactly one of --manifests DIR and --kubeconfig FILE\n${USAGE}`);
        return 2;
      }
      if (values.context && !values.kubeconfig) {
        console.error(`portico dev: --context goes with --kubeconfig\n${USAGE}`);
        return 2;
      }
      let flags: { haproxySlotMinimum?: number; resyncIntervalMs?: number; zone?: string };
      try {
        const slotMinimum = values['haproxy-slot-minimum'];
        const resyncInterval = values['resync-interval'];
        flags = {
          ...(values.zone !== undefined ? { zone: zoneFlag(values.zone) } : {}),
          ...(slotMinimum !== undefined ? { haproxySlotMinimum: slotMinimumFlag(slotMinimum) } : {}),
          ...(resyncInterval !== undefined
            ? { resyncIntervalMs: durationFlag('--resync-interval', resyncInterval) }
            : {}),
        };
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        console.error(`portico dev: ${terminalSafe(err.message)}\n${USAGE}`);
        return 2;
      }
      const stop = new AbortController();
      const onSignal = () => {
        log('stopping...');
        stop.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const common = {
        addressPool: values['address-pool'],
        stateDir: values['state-dir'],
        ...(values['haproxy-master-socket'] ? { haproxyMasterSocket: values['haproxy-master-socket'] } : {}),
        demoBackends: values['demo-backends'],
        debounceMs: Number(values.debounce),
        ...flags,
        log,
      };
      // Each command loads its own modules: the Kubernetes client, the SDKs and HAProxy's runtime are
      // heavy, and `portico --help` or a usage error should answer at once.
      if (values.kubeconfig) {
        const { runDevKube } = await import('./commands/dev-kube.js');
        await runDevKube(
          {
            ...common,
            kubeconfig: values.kubeconfig,
            ...(values.context ? { context: values.context } : {}),
            now: () => new Date().toISOString(),
          },
          stop.signal,
        );
      } else {
        const { runDev } = await import('./commands/dev.js');
        await runDev({ ...common, manifests: values.manifests! }, stop.signal);
      }
      log('stopped');
      return 0;
    }
    case 'plan': {
      if (!values.provider || !values.manifests === !values.kubeconfig) {
        console.error(`portico plan: --provider and one of --manifests, --kubeconfig are required\n${USAGE}`);
        return 2;
      }
      const { runPlan } = await import('./commands/plan.js');
      return runPlan({
        provider: values.provider,
        ...(values.manifests ? { manifests: values.manifests } : {}),
        ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
        ...(values.context ? { context: values.context } : {}),
        ...(values.cluster ? { cluster: values.cluster } : {}),
        ...(values.observe
          ? {
              observe: {
                stateDir: values['state-dir'],
                ...(values.region ? { region: values.region } : {}),
                ...(values['gcp-project'] ? { gcpProject: values['gcp-project'] } : {}),
              },
            }
          : {}),
        log,
      });
    }
    case 'status': {
      const file = join(values['state-dir'], STATUS_FILE);
      try {
        process.stdout.write(await readFile(file, 'utf8'));
        return 0;
      } catch {
        console.error(
          `portico status: no status at ${file}: is \`portico dev\` running (with the same --state-dir)?`,
        );
        return 1;
      }
    }
    default: {
      const asked = command === 'help' || command === '--help' || command === '-h';
      if (asked) console.log(USAGE);
      else console.error(command === undefined ? USAGE : `portico: unknown command\n${USAGE}`);
      return asked || command === undefined ? 0 : 2;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`portico: ${terminalSafe(err instanceof Error ? err.message : String(err))}`);
    process.exit(1);
  },
);
