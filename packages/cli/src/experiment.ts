import { dirname, resolve } from 'node:path';
import {
  EnvisionError,
  formatIssue,
  loadExperiment,
  locate,
  parseYamlFile,
  isEnvisionError,
  loadPlugins,
  type ConfigIssue,
  type Experiment,
  type ExperimentParts,
  type PluginRegistry,
} from '@envision/core';
import { registryWith } from './builtin-plugins.js';

/** The plugin parts of a registry, in the shape the experiment schema is composed from. */
export function partsOf(registry: PluginRegistry): ExperimentParts {
  return {
    methods: registry.all('method').map((r) => r.plugin.meta),
    adapters: registry.all('adapter').map((r) => ({ ...r.plugin.meta, defaultOptions: r.plugin.meta.defaultOptions ?? {} })),
    fusions: registry.all('fusion').map((r) => r.plugin.meta),
  };
}

/**
 * Loads an experiment file with its plugins: reads the `plugins` it names, builds a registry with them (resolved from
 * the file's folder) and validates the file against the composed schema.
 * @returns the experiment and registry, or every issue found
 */
export async function loadExperimentWithPlugins(
  file: string,
  sets: readonly string[],
): Promise<{ experiment?: Experiment; registry?: PluginRegistry; issues: readonly ConfigIssue[] }> {
  const source = parseYamlFile(file);
  if (source.issues.length > 0) return { issues: source.issues };
  const data = source.data as { plugins?: unknown } | null;
  const plugins = Array.isArray(data?.plugins) ? data.plugins.filter((p): p is string => typeof p === 'string') : [];
  const registry = await registryWith();
  for (const [index, name] of plugins.entries()) {
    try {
      await loadPlugins(registry, [[name, dirname(resolve(file))]]);
    } catch (e) {
      // A problem with one of the file's own plugins is reported at its line.
      if (!isEnvisionError(e)) throw e;
      const { line, col } = locate(source.doc, source.lineCounter, ['plugins', index]);
      return { issues: [{ file, line, col, path: `plugins[${index}]`, message: e.message }] };
    }
  }
  const { config, issues } = loadExperiment(file, { sets, parts: partsOf(registry) });
  return config === undefined ? { issues } : { experiment: config, registry, issues };
}

/** Throws one EnvisionError (`E_CONFIG`) whose message lists the issues, one per line. */
export function issuesError(issues: readonly ConfigIssue[]): EnvisionError {
  return new EnvisionError('E_CONFIG', issues.map(formatIssue).join('\n'));
}
