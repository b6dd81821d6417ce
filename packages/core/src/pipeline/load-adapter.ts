import type { VlmAdapter } from '../adapter.js';
import { checkLoadedAdapter } from '../adapter-check.js';
import type { Experiment } from '../config/experiment.js';
import type { PluginRegistry } from '../registry.js';

/** The ids of an experiment's gradient methods (they need a vision model with gradients). */
export function gradientMethodIds(plan: Pick<Experiment, 'methods'>, registry: PluginRegistry): string[] {
  return [...new Set(plan.methods.filter((m) => registry.get('method', m.id).plugin.meta.kind === 'gradient').map((m) => m.id))];
}

/**
 * Loads the experiment's model with its adapter plugin and checks the loaded adapter against the contract (see
 * {@link checkLoadedAdapter}); an adapter that fails the check is disposed before the error is thrown.
 * @throws EnvisionError from the adapter's `load`, or `E_PLUGIN` naming the adapter and its package
 */
export async function loadCheckedAdapter(plan: Pick<Experiment, 'model' | 'methods' | 'baseDir'>, registry: PluginRegistry): Promise<VlmAdapter> {
  const { plugin, packageName } = registry.get('adapter', plan.model.adapter);
  const { adapter: id, ...options } = plan.model;
  const adapter = await plugin.load(options, { baseDir: plan.baseDir });
  try {
    checkLoadedAdapter(adapter, { id, packageName }, gradientMethodIds(plan, registry));
  } catch (e) {
    await (adapter as Partial<VlmAdapter> | null)?.dispose?.();
    throw e;
  }
  return adapter;
}
