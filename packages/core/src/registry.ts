import { Container, ContainerModule } from 'inversify';
import { unknownIdMessage } from './config/suggest.js';
import { EnvisionError } from '@envision/onnx-grad';
import { AttributionMethod } from './method.js';
import { AdapterPlugin } from './adapter.js';
import { FusionRule } from './fusion.js';
import { checkPlugin } from './plugin-check.js';
import { checkPluginExport, isEnvisionPlugins, type EnvisionPlugins } from './plugins.js';

/** The kinds of plugin the registry holds, with the token each is bound to. */
const KINDS: Record<PluginKind, symbol> = {
  method: AttributionMethod,
  adapter: AdapterPlugin,
  fusion: FusionRule,
};

/** A kind of plugin: `method`, `adapter` or `fusion`. */
export type PluginKind = 'method' | 'adapter' | 'fusion';

/** The plugin interface of each {@link PluginKind}. */
export interface PluginOf {
  method: AttributionMethod;
  adapter: AdapterPlugin;
  fusion: FusionRule;
}

/** A registered plugin and the package that provided it. */
export interface Registration<T> {
  readonly plugin: T;
  readonly packageName: string;
}

/**
 * Holds the plugins of a run by id. Semantics (as onnxruntime's backend registry): registering the same plugin
 * object twice is a no-op; a different plugin under an id already taken is an error naming both packages;
 * looking up an unknown id is an error listing the valid ids, with a "did you mean".
 */
export class PluginRegistry {
  private readonly entries: { [K in PluginKind]: Map<string, Registration<PluginOf[K]>> } = {
    method: new Map(),
    adapter: new Map(),
    fusion: new Map(),
  };
  private readonly loadedPackages = new Map<string, string>();
  private readonly warn: (message: string) => void;

  /**
   * @param options.onWarning - receives warnings (deprecated plugin declarations); default: a Node
   *   `DeprecationWarning` on stderr
   */
  constructor(options: { onWarning?: (message: string) => void } = {}) {
    this.warn = options.onWarning ?? ((message) => process.emitWarning(message, { type: 'DeprecationWarning', code: 'ENVISION_DEPRECATED' }));
  }

  /**
   * Registers one plugin, after checking its declaration (see {@link checkPlugin}).
   * @throws EnvisionError `E_PLUGIN` when another plugin already has this id, or the declaration is broken
   */
  add<K extends PluginKind>(kind: K, plugin: PluginOf[K], packageName: string): void {
    const existing = this.entries[kind].get((plugin as { meta?: { id?: string } } | null)?.meta?.id ?? '');
    if (existing?.plugin === plugin) return;
    checkPlugin(kind, plugin, packageName, this.warn);
    const id = plugin.meta.id;
    if (existing !== undefined) {
      throw new EnvisionError(
        'E_PLUGIN',
        `${kind} id '${id}' is provided by both ${existing.packageName} and ${packageName}; remove one of the packages from plugins`,
      );
    }
    (this.entries[kind] as Map<string, Registration<PluginOf[K]>>).set(id, { plugin, packageName });
  }

  /**
   * Registers every plugin a package's `ContainerModule` binds (to the method, adapter and fusion tokens).
   * Loading the same package name twice is a no-op.
   */
  addModule(module: ContainerModule, packageName: string, version = 'unknown'): void {
    if (this.loadedPackages.has(packageName)) return;
    const container = new Container();
    container.load(module);
    for (const kind of Object.keys(KINDS) as PluginKind[]) {
      const token = KINDS[kind];
      if (!container.isBound(token)) continue;
      for (const plugin of container.getAll<PluginOf[typeof kind]>(token)) this.add(kind, plugin, packageName);
    }
    this.loadedPackages.set(packageName, version);
  }

  /**
   * Registers every plugin of a package in its plain-object form (`definePlugins({ methods, adapters, fusions })`).
   * Loading the same package name twice is a no-op.
   */
  addPlugins(plugins: EnvisionPlugins, packageName: string, version = 'unknown'): void {
    if (this.loadedPackages.has(packageName)) return;
    for (const plugin of plugins.methods ?? []) this.add('method', plugin, packageName);
    for (const plugin of plugins.adapters ?? []) this.add('adapter', plugin, packageName);
    for (const plugin of plugins.fusions ?? []) this.add('fusion', plugin, packageName);
    this.loadedPackages.set(packageName, version);
  }

  /**
   * Registers a plugin package's default export, in either form: a plain object (`definePlugins(…)`) or an inversify
   * `ContainerModule`.
   * @throws EnvisionError `E_PLUGIN` when the export is neither
   */
  addPackage(exported: unknown, packageName: string, version = 'unknown'): void {
    const checked = checkPluginExport(exported, packageName);
    if (isEnvisionPlugins(checked)) this.addPlugins(checked, packageName, version);
    else this.addModule(checked, packageName, version);
  }

  /** The plugin packages loaded so far, with their versions (for run manifests). */
  packages(): Record<string, string> {
    return Object.fromEntries(this.loadedPackages);
  }

  /** The registered ids of one kind, sorted. */
  ids(kind: PluginKind): string[] {
    return [...this.entries[kind].keys()].sort();
  }

  /** All registrations of one kind. */
  all<K extends PluginKind>(kind: K): Registration<PluginOf[K]>[] {
    return [...this.entries[kind].values()] as Registration<PluginOf[K]>[];
  }

  /** True when a plugin of this kind has this id. */
  has(kind: PluginKind, id: string): boolean {
    return this.entries[kind].has(id);
  }

  /**
   * The plugin of this kind with this id.
   * @throws EnvisionError `E_PLUGIN` listing the valid ids, with a "did you mean" when one is close
   */
  get<K extends PluginKind>(kind: K, id: string): Registration<PluginOf[K]> {
    const found = this.entries[kind].get(id) as Registration<PluginOf[K]> | undefined;
    if (found !== undefined) return found;
    throw new EnvisionError('E_PLUGIN', unknownIdMessage(kind, id, this.ids(kind)));
  }
}
