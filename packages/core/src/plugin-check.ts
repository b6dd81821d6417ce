import { EnvisionError, describeCause } from '@envision/onnx-grad';
import { compileOptionsSchema, defaultOptionsProblems } from './options.js';
import type { PluginKind } from './registry.js';

/** The function each kind of plugin must have. */
const ENTRY: Record<PluginKind, readonly string[]> = {
  method: ['attribute'],
  adapter: ['load'],
  fusion: ['scores', 'cotangents'],
};

const isFlag = (v: unknown) => v === undefined || typeof v === 'boolean' || typeof v === 'function';

/**
 * Checks a plugin's declaration when it registers, so that a broken plugin is reported against its package rather
 * than against a user's experiment: a string `meta.id`, its entry functions, an `optionsSchema` that compiles, and
 * `defaultOptions` that the schema accepts (top-level `required` aside); for methods, `kind` and the flags; for
 * fusion rules, a boolean `linear`.
 *
 * @param warn - receives deprecation messages (a method declaring the former `linearInTarget`)
 * @throws EnvisionError `E_PLUGIN` naming the package, the kind, the id and what would be valid
 */
export function checkPlugin(kind: PluginKind, plugin: unknown, packageName: string, warn: (message: string) => void): void {
  const meta = (plugin as { meta?: Record<string, unknown> } | null)?.meta;
  if (meta === null || typeof meta !== 'object' || typeof meta.id !== 'string' || meta.id.length === 0) {
    throw new EnvisionError('E_PLUGIN', `${packageName} provides a ${kind} without a string meta.id`);
  }
  const where = `${packageName}: ${kind} '${meta.id}'`;
  for (const fn of ENTRY[kind]) {
    if (typeof (plugin as Record<string, unknown>)[fn] !== 'function') throw new EnvisionError('E_PLUGIN', `${where} has no ${fn}() function`);
  }
  checkOptionsDeclaration(meta, where);
  if (kind === 'method') checkMethodMeta(meta, where, warn);
  if (kind === 'fusion' && typeof meta.linear !== 'boolean') {
    throw new EnvisionError('E_PLUGIN', `${where}: meta.linear must be true or false (are the scores linear in the image embedding?)`);
  }
}

function checkOptionsDeclaration(meta: Record<string, unknown>, where: string): void {
  const schema = meta.optionsSchema;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new EnvisionError('E_PLUGIN', `${where}: meta.optionsSchema must be a JSON Schema object, e.g. { type: 'object', properties: {…} }`);
  }
  try {
    compileOptionsSchema(meta as { optionsSchema: Record<string, unknown> });
  } catch (e) {
    throw new EnvisionError('E_PLUGIN', `${where}: meta.optionsSchema is not a valid JSON Schema (2020-12): ${describeCause(e)}`, e);
  }
  const defaults = meta.defaultOptions;
  if (defaults !== undefined && (defaults === null || typeof defaults !== 'object' || Array.isArray(defaults))) {
    throw new EnvisionError('E_PLUGIN', `${where}: meta.defaultOptions must be an object of option values`);
  }
  const problems = defaultOptionsProblems(meta as { optionsSchema: Record<string, unknown>; defaultOptions?: unknown });
  if (problems.length > 0) {
    throw new EnvisionError('E_PLUGIN', `${where}: meta.defaultOptions do not fit its optionsSchema: ${problems.join('; ')}`);
  }
}

function checkMethodMeta(meta: Record<string, unknown>, where: string, warn: (message: string) => void): void {
  if (meta.kind !== 'gradient' && meta.kind !== 'perturbation') {
    throw new EnvisionError('E_PLUGIN', `${where}: meta.kind must be 'gradient' or 'perturbation', got ${JSON.stringify(meta.kind)}`);
  }
  for (const flag of ['linear', 'linearInTarget', 'mapsShapedLikeInput']) {
    if (!isFlag(meta[flag])) throw new EnvisionError('E_PLUGIN', `${where}: meta.${flag} must be a boolean or a function of the options`);
  }
  if (meta.linearInTarget !== undefined && meta.linear === undefined) {
    warn(`${where}: meta.linearInTarget is deprecated; rename it to meta.linear (the old name is read until Envision 0.3)`);
  }
}
