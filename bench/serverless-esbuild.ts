// esbuild options as serverless-esbuild derives them from serverless.yml's custom.esbuild: what the
// benches build bundles with, so their sizes and init times are those of `serverless package`.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';
import { parse as parseYaml } from 'yaml';

const ROOT = join(import.meta.dirname, '..');

export interface EsbuildConfig {
  [option: string]: unknown;
  bundle?: boolean;
  minify?: boolean;
  sourcemap?: boolean | 'linked' | 'inline' | 'external' | 'both';
  target?: string;
  platform?: 'node';
  format?: 'esm' | 'cjs';
  outputFileExtension?: string;
  exclude?: string[];
  external?: string[];
  banner?: { js?: string };
  splitting?: boolean;
  mainFields?: string[];
  plugins?: string;
}

/** serverless-esbuild's own keys (bundle.ts): everything else of custom.esbuild goes to esbuild as is. */
const PLUGIN_KEYS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
  'plugins',
];

/** esbuild options from serverless.yml's custom.esbuild (the keys serverless-esbuild passes on). */
export function esbuildOptionsFromServerlessYml(): { options: BuildOptions; config: EsbuildConfig } {
  const yml = parseYaml(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as {
    custom?: { esbuild?: EsbuildConfig };
  };
  const config = yml.custom?.esbuild;
  if (!config) throw new Error('serverless.yml has no custom.esbuild');
  const passed = Object.fromEntries(Object.entries(config).filter(([k]) => !PLUGIN_KEYS.includes(k)));
  const options: BuildOptions = {
    ...(passed as BuildOptions),
    bundle: config.bundle ?? true,
    minify: config.minify ?? false,
    ...(config.sourcemap !== undefined ? { sourcemap: config.sourcemap } : {}),
    target: config.target ?? 'node22',
    platform: config.platform ?? 'node',
    format: config.format ?? 'cjs',
    ...(config.outputFileExtension ? { outExtension: { '.js': config.outputFileExtension } } : {}),
    // serverless-esbuild leaves `exclude` out of the bundle (and out of the package): external
    external: [...(config.exclude ?? []), ...(config.external ?? [])],
    ...(config.banner ? { banner: config.banner as Record<string, string> } : {}),
    // serverless-esbuild require()s the plugins file named, relative to the service folder
    ...(typeof config.plugins === 'string'
      ? { plugins: createRequire(import.meta.url)(join(ROOT, config.plugins)) as Plugin[] }
      : {}),
    metafile: true,
    logLevel: 'silent',
  };
  return { options, config };
}
