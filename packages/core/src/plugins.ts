import { ContainerModule } from 'inversify';
import { EnvisionError } from '@envision/onnx-grad';
import type { AdapterPlugin } from './adapter.js';
import type { FusionRule } from './fusion.js';
import type { AttributionMethod } from './method.js';

/**
 * What a plugin package default-exports: its plugins by kind, every key optional. The plain-object form of a plugin
 * package; an inversify `ContainerModule` binding the `AttributionMethod` / `AdapterPlugin` / `FusionRule` tokens is
 * accepted too. Each plugin has its own options type, hence `any` here.
 */
export interface EnvisionPlugins {
  /** Attribution methods, each used in experiments as `methods: [{ id }]`. */
  readonly methods?: readonly AttributionMethod<any>[];
  /** VLM adapters, each used as `model.adapter`. */
  readonly adapters?: readonly AdapterPlugin<any>[];
  /** Fusion rules, each used as `targets[].fusion`. */
  readonly fusions?: readonly FusionRule<any>[];
}

/**
 * Declares a plugin package's plugins; returns its argument unchanged (it exists for the types):
 * `export default definePlugins({ methods: [inputXGradient] })`.
 */
export function definePlugins<const P extends EnvisionPlugins>(plugins: P): P {
  return plugins;
}

const KEYS = ['methods', 'adapters', 'fusions'] as const;

/**
 * True when a default export is the plain-object form: an object whose own keys are only `methods`, `adapters` and
 * `fusions` (at least one), each an array.
 */
export function isEnvisionPlugins(value: unknown): value is EnvisionPlugins {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => (KEYS as readonly string[]).includes(k) && Array.isArray((value as Record<string, unknown>)[k]));
}

/** An inversify `ContainerModule` from any copy of inversify: an object with a numeric `id` and a `load` function. */
export function isContainerModule(value: unknown): value is ContainerModule {
  if (value instanceof ContainerModule) return true;
  const v = value as { id?: unknown; load?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.id === 'number' && typeof v.load === 'function';
}

/**
 * A plugin package's default export, checked to be one of the two accepted forms.
 * @throws EnvisionError `E_PLUGIN` naming the package and both forms
 */
export function checkPluginExport(exported: unknown, packageName: string): EnvisionPlugins | ContainerModule {
  if (isEnvisionPlugins(exported) || isContainerModule(exported)) return exported;
  throw new EnvisionError(
    'E_PLUGIN',
    `plugin package '${packageName}' must default-export definePlugins({ methods, adapters, fusions }) (each an array) or an inversify ContainerModule`,
  );
}
