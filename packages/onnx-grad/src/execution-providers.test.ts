import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from './ort.js';
import { makeGraph, makeModel, makeNode, makeTensorValueInfo } from './onnx/build.js';
import { encodeModel } from './onnx/codec.js';
import { DataType, tensorToProto } from './onnx/tensor-proto.js';
import { tensor } from './tensor.js';
import { OnnxModel } from './onnx-model.js';
import { DifferentiableOnnxModel } from './grad/differentiable-onnx-model.js';
import { EXECUTION_PROVIDER_NAMES, parseExecutionProviders, resolveExecutionProviders, sessionOptions } from './execution-providers.js';

/** y = relu(x · W): a model with a gradient, a layer (`h`) and an initializer to replace. */
function mlpFile(): string {
  const W = tensor('float32', [3, 2], new Float32Array([1, -1, 0.5, 2, -0.5, 1]));
  const graph = makeGraph(
    [makeNode('MatMul', ['x', 'W'], ['h'], {}, 'mm'), makeNode('Relu', ['h'], ['y'], {}, 'relu')],
    'mlp',
    [makeTensorValueInfo('x', DataType.FLOAT, ['batch', 3])],
    [makeTensorValueInfo('y', DataType.FLOAT, ['batch', 2])],
    [tensorToProto('W', W)],
  );
  const file = join(mkdtempSync(join(tmpdir(), 'ep-')), 'mlp.onnx');
  writeFileSync(file, encodeModel(makeModel(graph, { '': 17 }, 8)));
  return file;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('execution providers', () => {
  it('sessionOptions passes the providers (names and { name, deviceId }), the threads and no onnxruntime logging', () => {
    expect(sessionOptions({})).toEqual({ executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 4 });
    expect(sessionOptions({ executionProviders: [{ name: 'cuda', deviceId: 1 }, { name: 'cpu' }, 'webgpu'], intraOpNumThreads: 2 })).toEqual({
      executionProviders: [{ name: 'cuda', deviceId: 1 }, 'cpu', 'webgpu'],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 4,
      intraOpNumThreads: 2,
    });
  });

  it('parseExecutionProviders reads --ep lists and names the valid providers for an unknown one', () => {
    expect(parseExecutionProviders('cuda,cpu')).toEqual(['cuda', 'cpu']);
    expect(parseExecutionProviders('cuda:1, cpu')).toEqual([{ name: 'cuda', deviceId: 1 }, 'cpu']);
    expect(() => parseExecutionProviders('cuda,gpu')).toThrow(
      "--ep: unknown execution provider 'gpu' (valid: cpu, cuda, tensorrt, dml, coreml, webgpu; a GPU as NAME:DEVICE, e.g. cuda:1; several comma-separated, e.g. cuda,cpu)",
    );
    expect(() => parseExecutionProviders('')).toThrow(/unknown execution provider ''/);
    expect(() => parseExecutionProviders('cuda:x')).toThrow(/'cuda:x'/);
    // Every name the schema accepts is one onnxruntime-node knows on some platform.
    expect(EXECUTION_PROVIDER_NAMES).toEqual(['cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu']);
  });

  // This machine has no CUDA libraries (onnxruntime-node was installed with its CPU runtime only): the real behaviour.
  it.skipIf(cudaInstalled)('cuda alone fails with one line naming the provider, the reason and what to install', async () => {
    const e = await resolveExecutionProviders(['cuda']).catch((err: unknown) => err as Error & { code: string });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('E_PROVIDER');
    expect(e.message).toBe(
      'execution provider cuda failed to load (OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library): install onnxruntime-node with its CUDA provider (ONNXRUNTIME_NODE_INSTALL=cuda12 at install time, e.g. ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node; needs CUDA 12 and cuDNN 9 on the library path); or list cpu after it to fall back to the CPU (executionProviders: [cuda, cpu], --ep cuda,cpu)',
    );
    expect(e.message).not.toContain('\n');
    await expect(OnnxModel.load(mlpFile(), { executionProviders: [{ name: 'cuda', deviceId: 0 }] })).rejects.toMatchObject({ code: 'E_PROVIDER', message: expect.stringMatching(/^execution provider cuda:0 failed to load/) });
  });

  it.skipIf(cudaInstalled)('cuda then cpu falls back to the CPU: the failure is recorded, sessions get the list without cuda', async () => {
    const r = await resolveExecutionProviders(['cuda', 'cpu']);
    expect(r.used).toEqual(['cpu']);
    expect(r.failed).toEqual([{ provider: 'cuda', reason: 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library' }]);
    expect(r.requested).toEqual(['cuda', 'cpu']);
  });

  it('the providers reach every session: forward, gradient, layer activations, cut and randomised models', async () => {
    // (cpu with a device id: a list onnxruntime accepts that no session would get by default; probed once before the spy)
    const cpu = { executionProviders: [{ name: 'cpu', deviceId: 0 }] as const, intraOpNumThreads: 1 };
    await resolveExecutionProviders(cpu.executionProviders);
    await resolveExecutionProviders(['cuda', 'cpu']);
    const create = vi.spyOn(ort.InferenceSession, 'create');
    const probes = () => create.mock.calls.filter((c) => (c[1] as ort.InferenceSession.SessionOptions | undefined)?.graphOptimizationLevel === 'all');
    const model = await DifferentiableOnnxModel.load(mlpFile(), { ...cpu, cacheDir: null });
    const x = tensor('float32', [1, 3], new Float32Array([1, 2, 3]));
    await model.vjp({ x }, 'y', 'x', tensor('float32', [1, 2], new Float32Array([1, 1])));
    const layer = await model.layer({ x }, 'h');
    await layer.model.vjp({ h: layer.activation }, 'y', 'h', tensor('float32', [1, 2], new Float32Array([1, 1])));
    const variant = await model.withInitializers(new Map([['W', tensor('float32', [3, 2], new Float32Array(6))]]), 'zero');
    await variant.run({ x });
    await Promise.all([model.dispose(), variant.dispose()]);
    // forward, gradient, activation model, cut forward, cut gradient, randomised forward
    expect(probes().length).toBeGreaterThanOrEqual(6);
    for (const [, options] of probes()) expect(options).toMatchObject({ executionProviders: [{ name: 'cpu', deviceId: 0 }], intraOpNumThreads: 1 });

    create.mockClear();
    // With cuda listed before cpu (resolved: cuda cannot load here), every session gets exactly the resolved list.
    const expected = cudaInstalled ? ['cuda', 'cpu'] : ['cpu'];
    const fallback = await DifferentiableOnnxModel.load(mlpFile(), { executionProviders: ['cuda', 'cpu'], cacheDir: null });
    await fallback.vjp({ x }, 'y', 'x', tensor('float32', [1, 2], new Float32Array([1, 1])));
    await fallback.dispose();
    expect(probes().length).toBe(2);
    for (const [, options] of probes()) expect((options as ort.InferenceSession.SessionOptions).executionProviders).toEqual(expected);
  });

  it('maps with [cuda, cpu] equal maps with [cpu]', async () => {
    const file = mlpFile();
    const x = tensor('float32', [2, 3], new Float32Array([1, 2, 3, -1, 0.5, 2]));
    const cot = tensor('float32', [2, 2], new Float32Array([1, 0, 0.5, 2]));
    const grads = [];
    for (const executionProviders of [['cpu'], ['cuda', 'cpu']] as const) {
      const model = await DifferentiableOnnxModel.load(file, { executionProviders, cacheDir: null });
      grads.push((await model.vjp({ x }, 'y', 'x', cot)).gradient.data);
      await model.dispose();
    }
    expect(grads[1]).toEqual(grads[0]);
  });
});

/**
 * Whether onnxruntime-node was installed with its CUDA provider (ONNXRUNTIME_NODE_INSTALL=cuda12). These machines have
 * the CPU runtime only, and the tests pin what happens then.
 */
const cudaInstalled = existsSync(join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch, process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so'));
