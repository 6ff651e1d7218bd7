import { KubeConfig } from '@kubernetes/client-node';

/** The kubeconfig in `file`, switched to `context` when one is named. */
export function loadKubeConfig(file: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  if (context) {
    if (!kc.getContextObject(context)) throw new Error(`kubeconfig ${file} has no context ${context}`);
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) throw new Error(`kubeconfig ${file} has no current context with a cluster`);
  return kc;
}
