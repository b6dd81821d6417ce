import * as ort from './ort.js';
import { EnvisionError, describeCause } from './errors.js';
import { makeGraph, makeModel, makeNode, makeTensorValueInfo } from './onnx/build.js';
import { encodeModel } from './onnx/codec.js';
import { DataType } from './onnx/tensor-proto.js';
import { intraOpThreadsOption } from './session-threads.js';

/**
 * The execution providers an experiment may name, as onnxruntime-node 1.30 spells them. `cpu` is always there;
 * `cuda` and `tensorrt` need the provider libraries of an install with `ONNXRUNTIME_NODE_INSTALL=cuda12` (Linux,
 * Windows; CUDA 12 and cuDNN 9); `webgpu` is bundled but needs a GPU adapter; `dml` exists on Windows only, `coreml`
 * on macOS only.
 */
export const EXECUTION_PROVIDER_NAMES = ['cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu'] as const;

/** One of {@link EXECUTION_PROVIDER_NAMES}. */
export type ExecutionProviderName = (typeof EXECUTION_PROVIDER_NAMES)[number];

/** An execution provider: its name, or its name and the GPU to use (`{ name: cuda, deviceId: 1 }`). */
export type ExecutionProvider = ExecutionProviderName | { readonly name: ExecutionProviderName; readonly deviceId?: number };

/** The providers every session uses when none are named. */
export const DEFAULT_EXECUTION_PROVIDERS: readonly ExecutionProvider[] = ['cpu'];

/** JSON Schema of an execution-provider list (`model.executionProviders` of an experiment). */
export const EXECUTION_PROVIDERS_SCHEMA = {
  type: 'array',
  minItems: 1,
  description: 'onnxruntime execution providers in order of preference; list cpu last to fall back to it when another cannot load',
  items: {
    anyOf: [
      { enum: [...EXECUTION_PROVIDER_NAMES] },
      {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { enum: [...EXECUTION_PROVIDER_NAMES] }, deviceId: { type: 'integer', minimum: 0 } },
      },
    ],
  },
} as const;

/** The name of a provider. */
export function providerName(provider: ExecutionProvider): ExecutionProviderName {
  return typeof provider === 'string' ? provider : provider.name;
}

/** A provider as the command line and messages write it: `cuda`, or `cuda:1` with a device. */
export function formatProvider(provider: ExecutionProvider): string {
  return typeof provider === 'string' || provider.deviceId === undefined ? providerName(provider) : `${provider.name}:${provider.deviceId}`;
}

/**
 * Parses a comma-separated list such as `cuda,cpu` or `cuda:1,cpu` (the CLI's `--ep`).
 * @throws EnvisionError `E_USAGE` naming the bad entry and the valid names
 */
export function parseExecutionProviders(text: string, option = '--ep'): ExecutionProvider[] {
  const entries = text.split(',').map((s) => s.trim());
  const valid = EXECUTION_PROVIDER_NAMES.join(', ');
  return entries.map((entry): ExecutionProvider => {
    const m = /^([a-z]+)(?::(\d+))?$/.exec(entry);
    const name = m?.[1] as ExecutionProviderName | undefined;
    if (m === null || name === undefined || !EXECUTION_PROVIDER_NAMES.includes(name)) {
      throw new EnvisionError('E_USAGE', `${option}: unknown execution provider '${entry}' (valid: ${valid}; a GPU as NAME:DEVICE, e.g. cuda:1; several comma-separated, e.g. cuda,cpu)`);
    }
    return m[2] === undefined ? name : { name, deviceId: Number(m[2]) };
  });
}

/** The onnxruntime form of a provider list (`{ name, deviceId }` objects pass through). */
function ortProviders(providers: readonly ExecutionProvider[]): ort.InferenceSession.ExecutionProviderConfig[] {
  return providers.map((p) => (typeof p === 'string' ? p : p.deviceId === undefined ? p.name : ({ name: p.name, deviceId: p.deviceId } as ort.InferenceSession.ExecutionProviderConfig)));
}

/** What {@link sessionOptions} builds the options of an onnxruntime session from. */
export interface SessionSettings {
  /** The providers, in order of preference, already resolved (see {@link resolveExecutionProviders}). @default ['cpu'] */
  readonly executionProviders?: readonly ExecutionProvider[];
  /** Threads onnxruntime uses inside one operator. */
  readonly intraOpNumThreads?: number;
  /** onnxruntime's CPU memory arena (pools freed buffers instead of returning them). @default true (onnxruntime's) */
  readonly enableCpuMemArena?: boolean;
  /** onnxruntime's memory pattern (one block planned from the first run's allocations). @default true (onnxruntime's) */
  readonly enableMemPattern?: boolean;
  /** onnxruntime's graph optimisation level. @default 'all' */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

/**
 * The options of every onnxruntime session Envision creates (forward, gradient, activation and cut models): the
 * execution providers, full graph optimisation, onnxruntime's own logging off (failures arrive as exceptions and are
 * said in one line), the intra-op threads when given, and the memory settings when given.
 */
export function sessionOptions(settings: SessionSettings): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ortProviders(settings.executionProviders ?? DEFAULT_EXECUTION_PROVIDERS),
    graphOptimizationLevel: settings.graphOptimizationLevel ?? 'all',
    logSeverityLevel: 4,
    ...intraOpThreadsOption(settings.intraOpNumThreads),
    ...(settings.enableCpuMemArena === undefined ? {} : { enableCpuMemArena: settings.enableCpuMemArena }),
    ...(settings.enableMemPattern === undefined ? {} : { enableMemPattern: settings.enableMemPattern }),
  };
}

/** A provider that could not be loaded, and onnxruntime's reason. */
export interface ProviderFailure {
  readonly provider: ExecutionProvider;
  readonly reason: string;
}

/** The providers sessions run with, after the ones that cannot load on this machine were dropped. */
export interface ProviderResolution {
  /** The list as asked for. */
  readonly requested: readonly ExecutionProvider[];
  /** The list sessions are created with: `requested` without the failed providers. */
  readonly used: readonly ExecutionProvider[];
  /** The providers that could not load (empty when all did). */
  readonly failed: readonly ProviderFailure[];
}

/** What to install, or where the provider exists, for a provider that failed to load. */
function remedy(name: ExecutionProviderName): string {
  switch (name) {
    case 'cuda':
    case 'tensorrt':
      return `install onnxruntime-node with its ${name === 'cuda' ? 'CUDA' : 'TensorRT'} provider (ONNXRUNTIME_NODE_INSTALL=cuda12 at install time, e.g. ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node; needs CUDA 12 and cuDNN 9${name === 'tensorrt' ? ' and TensorRT' : ''} on the library path)`;
    case 'dml':
      return 'DirectML exists in onnxruntime-node on Windows only';
    case 'coreml':
      return 'CoreML exists in onnxruntime-node on macOS only';
    case 'webgpu':
      return 'WebGPU needs a GPU adapter (a Vulkan, Metal or Direct3D 12 driver) visible to this process';
    case 'cpu':
      return 'the CPU runtime ships with onnxruntime-node: reinstall it';
  }
}

/**
 * One line saying that a provider failed to load and how to get it (thrown when the list has no `cpu` to fall back
 * to).
 */
export function providerFailureMessage(failure: ProviderFailure, requested: readonly ExecutionProvider[]): string {
  const list = requested.map(formatProvider).join(',');
  const head = `execution provider ${formatProvider(failure.provider)} failed to load (${failure.reason}): ${remedy(providerName(failure.provider))}`;
  return providerName(failure.provider) === 'cpu' ? head : `${head}; or list cpu after it to fall back to the CPU (executionProviders: [${requested.map(formatProvider).join(', ')}, cpu], --ep ${list},cpu)`;
}

/** One line saying that a provider failed to load and the run goes on without it (a warning). */
export function providerFallbackMessage(resolution: ProviderResolution): string {
  const failed = resolution.failed.map((f) => `${formatProvider(f.provider)} (${f.reason})`).join(', ');
  return `execution provider ${failed} failed to load; running on ${resolution.used.map(formatProvider).join(', ')} as the list allows (${remedy(providerName(resolution.failed[0]!.provider))})`;
}

/** Whether each provider loads, probed once per process (keyed by {@link formatProvider}). */
const probes = new Map<string, Promise<string | undefined>>();

let probeModel: Uint8Array | undefined;

/** A one-node model (Identity) that any provider can run: creating a session on it loads the provider. */
function identityModel(): Uint8Array {
  probeModel ??= encodeModel(
    makeModel(makeGraph([makeNode('Identity', ['x'], ['y'])], 'provider-probe', [makeTensorValueInfo('x', DataType.FLOAT, [1])], [makeTensorValueInfo('y', DataType.FLOAT, [1])]), { '': 13 }),
  );
  return probeModel;
}

/** onnxruntime's reason why `provider` cannot load on this machine, or undefined when it loads. */
function probe(provider: ExecutionProvider): Promise<string | undefined> {
  if (provider === 'cpu') return Promise.resolve(undefined); // bundled with onnxruntime-node
  const key = formatProvider(provider);
  let result = probes.get(key);
  if (result === undefined) {
    result = ort.InferenceSession.create(identityModel(), sessionOptions({ executionProviders: [provider] })).then(
      async (session) => {
        await session.release();
        return undefined;
      },
      (e: unknown) => describeCause(e),
    );
    probes.set(key, result);
  }
  return result;
}

/**
 * Resolves a provider list against this machine: each provider is tried once per process (a session on a one-node
 * model). When one cannot load, the list goes on without it if it names `cpu` (the fallback the user asked for);
 * otherwise this throws. Sessions are then created with `used`, so a failure is met once, never per session.
 * @param requested - the providers in order of preference @default ['cpu']
 * @throws EnvisionError `E_PROVIDER` (one line: the provider, onnxruntime's reason, what to install) when a provider
 *   cannot load and the list has no `cpu`
 */
export async function resolveExecutionProviders(requested: readonly ExecutionProvider[] = DEFAULT_EXECUTION_PROVIDERS): Promise<ProviderResolution> {
  const failed: ProviderFailure[] = [];
  for (const provider of requested) {
    const reason = await probe(provider);
    if (reason !== undefined) failed.push({ provider, reason });
  }
  const first = failed[0];
  const cpu = requested.some((p) => providerName(p) === 'cpu');
  if (first !== undefined && (!cpu || providerName(first.provider) === 'cpu')) {
    throw new EnvisionError('E_PROVIDER', providerFailureMessage(first, requested));
  }
  const dropped = new Set(failed.map((f) => f.provider));
  return { requested, used: requested.filter((p) => !dropped.has(p)), failed };
}
