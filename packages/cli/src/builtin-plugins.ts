import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginRegistry, corePlugins, loadPlugins, runtimeVersions } from '@envision/core';

/**
 * The plugin packages the `envision` binary ships with. They are loaded by package name, resolved from this package,
 * exactly as a user's plugins are resolved from their experiment's folder.
 */
export const BUILTIN_PLUGINS: readonly string[] = [
  '@envision/method-occlusion',
  '@envision/method-gb',
  '@envision/method-ig',
  '@envision/method-gradshap',
  '@envision/method-layer',
  '@envision/method-noise-tunnel',
  '@envision/method-feature-mask',
  '@envision/method-rise',
  '@envision/adapter-medclip',
  '@envision/adapter-clip',
];

const here = dirname(fileURLToPath(import.meta.url));

/**
 * A registry holding core's own plugins (fusion rules), the built-in plugin packages, then `extra` plugin packages
 * resolved from `extraDir`.
 * @param extra - plugin package names (from an experiment's `plugins` or `--plugin`)
 * @param extraDir - the folder they are resolved from
 */
export async function registryWith(extra: readonly string[] = [], extraDir = process.cwd()): Promise<PluginRegistry> {
  // Deprecations of a plugin's declaration reach its user as one plain line each.
  const registry = new PluginRegistry({ onWarning: (message) => process.stderr.write(`envision: warning: ${message}\n`) });
  registry.addPlugins(corePlugins, '@envision/core', runtimeVersions()['@envision/core']);
  await loadPlugins(registry, [...BUILTIN_PLUGINS.map((p) => [p, here] as const), ...extra.map((p) => [p, extraDir] as const)]);
  return registry;
}
