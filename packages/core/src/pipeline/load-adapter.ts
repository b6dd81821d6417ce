import { providerFallbackMessage, resolveExecutionProviders } from '@envision/onnx-grad';
import type { VlmAdapter } from '../adapter.js';
import { checkLoadedAdapter } from '../adapter-check.js';
import type { Experiment } from '../config/experiment.js';
import type { PluginRegistry } from '../registry.js';

/** The ids of an experiment's gradient methods (they need a vision model with gradients). */
export function gradientMethodIds(plan: Pick<Experiment, 'methods'>, registry: PluginRegistry): string[] {
  return [...new Set(plan.methods.filter((m) => registry.get('method', m.id).plugin.meta.kind === 'gradient').map((m) => m.id))];
}

/** What {@link loadCheckedAdapter} reports while it loads. */
export interface LoadAdapterListeners {
  /** A warning (one line): an execution provider that cannot load was dropped because the list names `cpu`. */
  onWarning?(message: string): void;
}

/**
 * Loads the experiment's model with its adapter plugin and checks the loaded adapter against the contract (see
 * {@link checkLoadedAdapter}); an adapter that fails the check is disposed before the error is thrown. The model's
 * execution providers (`model.executionProviders`) are resolved first and given to the plugin in its load context.
 * @throws EnvisionError `E_PROVIDER` when an execution provider cannot load and the list has no `cpu`, errors from the
 *   adapter's `load`, or `E_PLUGIN` naming the adapter and its package
 */
export async function loadCheckedAdapter(plan: Pick<Experiment, 'model' | 'methods' | 'baseDir'>, registry: PluginRegistry, listeners: LoadAdapterListeners = {}): Promise<VlmAdapter> {
  const { plugin, packageName } = registry.get('adapter', plan.model.adapter);
  const { adapter: id, executionProviders: requested, ...options } = plan.model;
  const providers = await resolveExecutionProviders(requested);
  if (providers.failed.length > 0) listeners.onWarning?.(providerFallbackMessage(providers));
  const adapter = await plugin.load(options, { baseDir: plan.baseDir, executionProviders: providers.used });
  try {
    checkLoadedAdapter(adapter, { id, packageName }, gradientMethodIds(plan, registry));
  } catch (e) {
    await (adapter as Partial<VlmAdapter> | null)?.dispose?.();
    throw e;
  }
  return adapter;
}
