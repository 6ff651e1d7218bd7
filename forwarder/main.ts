import { pathToFileURL } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '#kube/load-kube-config.js';
import { createJsonLogger, type Logger } from '#logging/logger.js';
import { ConfigError, type ForwarderConfig, readForwarderConfig } from './config.js';
import { Forwarder } from './forwarder.js';

/** Exit codes: 0 stopped with everything sent, 1 failed or stopped with events unsent, 2 bad configuration. */
export const EXIT = { ok: 0, failed: 1, config: 2 } as const;

/** How long a SIGTERM gives pending events (the pod's terminationGracePeriodSeconds is 30 s). */
const STOP_DEADLINE_MS = 20_000;

function kubeConfigOf(config: ForwarderConfig): KubeConfig {
  if (config.kubeconfig) return loadKubeConfig(config.kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromCluster();
  return kc;
}

/** The container entry: configuration from the environment, then run until SIGTERM or SIGINT. */
export async function main(
  env: NodeJS.ProcessEnv = process.env,
  logger: Logger = createJsonLogger({ service: 'forwarder' }),
): Promise<number> {
  let config: ForwarderConfig;
  try {
    config = readForwarderConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.error(err.message);
      return EXIT.config;
    }
    throw err;
  }
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = kubeConfigOf(config);
  } catch (err) {
    logger.error('no Kubernetes credentials', {
      kubeconfig: config.kubeconfig ?? '(in-cluster service account)',
      error: (err as Error).message,
    });
    return EXIT.failed;
  }
  const forwarder = new Forwarder({
    endpoint: config.endpoint,
    cluster: config.cluster,
    signingSecret: config.signingSecret,
    kubeConfig,
    forwardPrivateKeys: config.forwardPrivateKeys,
    maxPending: config.maxPending,
    statusPollMs: config.statusPollMs,
    controllerName: config.controllerName,
    httpPort: config.httpPort,
    metricsPort: config.metricsPort,
    ...(config.kinds ? { kinds: config.kinds } : {}),
    ...(config.webhook ? { webhook: config.webhook } : {}),
    logger,
  });

  let stopping: Promise<number> | undefined;
  const stop = (signal: string): Promise<number> => {
    stopping ??= (async () => {
      logger.info('stopping', { signal });
      const report = await forwarder.stop({ deadlineMs: STOP_DEADLINE_MS });
      logger[report.flushed ? 'info' : 'error']('stopped', { ...report });
      return report.flushed ? EXIT.ok : EXIT.failed;
    })();
    return stopping;
  };
  const stopped = new Promise<number>((resolve) => {
    process.once('SIGTERM', () => void stop('SIGTERM').then(resolve));
    process.once('SIGINT', () => void stop('SIGINT').then(resolve));
  });

  logger.info('starting', { endpoint: config.endpoint, cluster: config.cluster });
  // A signal while the informers still list stops the forwarder too.
  const first = await Promise.race([
    forwarder.start().then(
      () => 'started' as const,
      (err: unknown) => err as Error,
    ),
    stopped,
  ]);
  if (typeof first === 'number') return first;
  if (first instanceof Error) {
    logger.error('start failed', { error: first.message });
    await forwarder.stop({ deadlineMs: 1_000 });
    return EXIT.failed;
  }
  logger.info('running', {
    httpPort: forwarder.httpPort,
    metricsPort: forwarder.metricsPort,
    ...(forwarder.webhookPort !== undefined ? { webhookPort: forwarder.webhookPort } : {}),
  });
  return stopped;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(EXIT.failed);
    },
  );
}
