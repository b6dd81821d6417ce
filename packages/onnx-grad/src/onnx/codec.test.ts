import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from '../ort.js';
import { isEnvisionError } from '../errors.js';
import { decodeModel, encodeModel, encodeModelChunks } from './codec.js';
import { makeNode, makeTensorValueInfo } from './build.js';
import { DataType } from './tensor-proto.js';
import type { ModelProto } from './types.js';

const fixture = (p: string): Uint8Array => readFileSync(fileURLToPath(new URL(`../../../../fixtures/${p}`, import.meta.url)));

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

type Feeds = Record<string, ort.Tensor>;

const bytesOf = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function run(bytes: Uint8Array, feeds: Feeds): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function floats(n: number, seed: number): Float32Array {
  const r = random(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

const CASES: readonly { file: string; ops: string[]; initializers: number; feeds: () => Feeds }[] = [
  {
    file: 'occlusion/encoder.onnx',
    ops: ['Conv', 'Relu', 'Flatten', 'Gemm'],
    initializers: 6,
    feeds: () => ({ x: new ort.Tensor('float32', floats(2 * 3 * 16 * 16, 1), [2, 3, 16, 16]) }),
  },
  {
    file: 'tiny-dual/vision.onnx',
    ops: ['Conv', 'Relu', 'MaxPool', 'ReduceMean', 'MatMul'],
    initializers: 9,
    feeds: () => ({ pixel_values: new ort.Tensor('float32', floats(2 * 3 * 224 * 224, 2), [2, 3, 224, 224]) }),
  },
  {
    file: 'tiny-dual/text.onnx',
    ops: ['Gather', 'Slice', 'LayerNormalization', 'MatMul', 'Softmax', 'Erf', 'ReduceMean'],
    initializers: 42,
    feeds: () => {
      const r = random(3);
      const ids = BigInt64Array.from({ length: 2 * 9 }, () => BigInt(Math.floor(r() * 165)));
      const mask = BigInt64Array.from({ length: 2 * 9 }, (_, k) => (k % 9 < 7 || k < 9 ? 1n : 0n));
      return { input_ids: new ort.Tensor('int64', ids, [2, 9]), attention_mask: new ort.Tensor('int64', mask, [2, 9]) };
    },
  },
];

describe('decodeModel / encodeModel on torch-exported fixtures', () => {
  for (const c of CASES) {
    describe(c.file, () => {
      const bytes = fixture(c.file);
      const model = decodeModel(bytes, c.file);

      it('decodes the graph: opset, ops, initializers, inputs', () => {
        expect(model.ir_version).toBe(8);
        expect(model.producer_name).toBe('pytorch');
        expect(model.opset_import).toEqual([{ version: 17 }]);
        const graph = model.graph!;
        const ops = new Set(graph.node.map((n) => n.op_type));
        for (const op of c.ops) expect(ops, op).toContain(op);
        expect(graph.initializer).toHaveLength(c.initializers);
        for (const t of graph.initializer) {
          expect(t.data_type).toBe(DataType.FLOAT);
          expect(t.raw_data!.byteLength).toBe(4 * t.dims.reduce((a, b) => a * b, 1));
        }
        expect(graph.input.map((i) => i.name)).toEqual(Object.keys(c.feeds()));
        expect(graph.input[0]!.type!.tensor_type!.shape!.dim[0]).toEqual({ dim_param: 'batch' });
      });

      it('re-encodes to the very same bytes, and decode(encode(decode(b))) equals decode(b)', () => {
        const again = encodeModel(model);
        expect(Buffer.compare(Buffer.from(again), Buffer.from(bytes))).toBe(0);
        expect(decodeModel(again, 'again')).toEqual(model);
      });

      it('runs in onnxruntime after re-encoding, with bit-identical outputs', async () => {
        const feeds = c.feeds();
        const [before, after] = [await run(bytes, feeds), await run(encodeModel(model), feeds)];
        expect(Object.keys(after)).toEqual(Object.keys(before));
        for (const name of Object.keys(before)) {
          const [a, b] = [before[name]!, after[name]!];
          expect(b.dims).toEqual(a.dims);
          expect(b.type).toBe(a.type);
          expect(bytesOf(b.data as Float32Array)).toEqual(bytesOf(a.data as Float32Array));
        }
      });

      it('encodes in chunks that share the large raw_data, decode to the same model and run bit-identically', async () => {
        const chunks = encodeModelChunks(model, 256);
        const whole = Buffer.concat(chunks);
        expect(whole.byteLength).toBe(encodeModel(model).byteLength);
        const large = model.graph!.initializer.filter((t) => t.raw_data!.byteLength >= 256);
        expect(large.length).toBeGreaterThan(0);
        for (const t of large) expect(chunks).toContain(t.raw_data);
        const byName = (m: ModelProto) => ({ ...m, graph: { ...m.graph!, initializer: [...m.graph!.initializer].sort((a, b) => (a.name! < b.name! ? -1 : 1)) } });
        expect(byName(decodeModel(whole, 'chunks'))).toEqual(byName(model));
        const feeds = c.feeds();
        const [before, after] = [await run(bytes, feeds), await run(whole, feeds)];
        for (const name of Object.keys(before)) expect(bytesOf(after[name]!.data as Float32Array)).toEqual(bytesOf(before[name]!.data as Float32Array));
        expect(encodeModelChunks(model, Infinity)).toEqual([encodeModel(model)]);
      });
    });
  }

  it('encodes an edited model that onnxruntime runs (a Neg node appended to the encoder)', async () => {
    const model: ModelProto = decodeModel(fixture('occlusion/encoder.onnx'), 'encoder');
    const graph = model.graph!;
    graph.node.push(makeNode('Neg', ['y'], ['minus_y'], {}, 'neg'));
    graph.output.push(makeTensorValueInfo('minus_y', DataType.FLOAT, ['batch', 6]));
    const out = await run(encodeModel(model), { x: new ort.Tensor('float32', floats(3 * 16 * 16, 4), [1, 3, 16, 16]) });
    expect([...(out['minus_y']!.data as Float32Array)]).toEqual([...(out['y']!.data as Float32Array)].map((v) => -v));
  });
});

describe('decodeModel errors', () => {
  const expectOnnxError = (bytes: Uint8Array, pattern: RegExp): void => {
    let caught: unknown;
    try {
      decodeModel(bytes, 'bad.onnx');
    } catch (e) {
      caught = e;
    }
    expect(isEnvisionError(caught), String(caught)).toBe(true);
    expect((caught as { code: string }).code).toBe('E_ONNX');
    expect((caught as Error).message).toMatch(pattern);
  };

  it('refuses a truncated file', () => {
    const bytes = fixture('tiny-dual/vision.onnx');
    for (const n of [bytes.length - 1, Math.floor(bytes.length / 2), 100, 7]) {
      expectOnnxError(bytes.subarray(0, n), /^bad\.onnx is not a valid ONNX model: /);
    }
  });

  it('refuses a text file, an empty file, and a protobuf that is not a model', () => {
    expectOnnxError(new TextEncoder().encode('name,value\nalpha,1\nbeta,2\n'), /^bad\.onnx is not a valid ONNX model: /);
    expectOnnxError(readFileSync(fileURLToPath(new URL('../../../../fixtures/tiny-dual/vocab.txt', import.meta.url))), /^bad\.onnx is not a valid ONNX model: /);
    expectOnnxError(new Uint8Array(0), /is not a valid ONNX model: it has no ir_version/);
    expectOnnxError(new Uint8Array([0x08, 0x08]), /is not a valid ONNX model: it has no graph/);
  });

  it('names the field when encoding a value of the wrong type', () => {
    const model = decodeModel(fixture('occlusion/encoder.onnx'), 'encoder');
    (model.graph!.node[0] as { name?: unknown }).name = 5;
    expect(() => encodeModel(model)).toThrow(/^cannot encode ONNX model: graph\.node\.name: string expected/);
  });
});
