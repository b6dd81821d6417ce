import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AttributeType, attrFloat, attrFloats, attrGraph, attrInt, attrInts, attrString, attrStrings, attrTensor, attributeType, describeNode, findAttribute } from './attr.js';
import { Attr, makeGraph, makeNode } from './build.js';
import { decodeModel } from './codec.js';
import { tensorFromProto, tensorToProto } from './tensor-proto.js';
import { tensor } from '../tensor.js';
import type { NodeProto } from './types.js';

const load = (p: string) =>
  decodeModel(readFileSync(fileURLToPath(new URL(`../../../../fixtures/${p}`, import.meta.url))), p).graph!.node;

function thrown(f: () => unknown): Error & { code?: string } {
  try {
    f();
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected an error');
}

describe('attribute readers', () => {
  const nodes = load('occlusion/encoder.onnx');
  const conv2 = nodes.find((n) => n.name === '/conv2/Conv')!;
  const gemm = nodes.find((n) => n.op_type === 'Gemm')!;

  it('read the attributes of a torch-exported model', () => {
    expect(attrInts(conv2, 'strides')).toEqual([2, 2]);
    expect(attrInts(conv2, 'pads')).toEqual([1, 1, 1, 1]);
    expect(attrInt(conv2, 'group')).toBe(1);
    expect(attrInt(gemm, 'transB')).toBe(1);
    expect(attrFloat(gemm, 'alpha')).toBe(1);
    const constant = load('tiny-dual/text.onnx').find((n) => n.op_type === 'Constant')!;
    expect(tensorFromProto(attrTensor(constant, 'value')).dtype).toBe('int64');
  });

  it('give the fallback when the attribute is absent', () => {
    expect(attrInt(gemm, 'transA', 0)).toBe(0);
    expect(attrInts(conv2, 'output_padding', [0, 0])).toEqual([0, 0]);
    expect(attrFloat(gemm, 'gamma', 0.25)).toBe(0.25);
    expect(attrFloats(gemm, 'scales', [])).toEqual([]);
    expect(attrString(conv2, 'auto_pad', 'NOTSET')).toBe('NOTSET');
    expect(attrStrings(conv2, 'names', ['a'])).toEqual(['a']);
  });

  it('name the node and the attribute when a required one is missing or of the wrong kind', () => {
    const missing = thrown(() => attrInt(conv2, 'axis'));
    expect(missing.code).toBe('E_ONNX');
    expect(missing.message).toBe("node '/conv2/Conv' (Conv) has no attribute 'axis'");
    expect(thrown(() => attrTensor(conv2, 'value')).message).toBe("node '/conv2/Conv' (Conv) has no attribute 'value'");
    expect(thrown(() => attrGraph(conv2, 'body')).message).toBe("node '/conv2/Conv' (Conv) has no attribute 'body'");
    expect(thrown(() => attrInt(conv2, 'strides')).message).toBe("node '/conv2/Conv' (Conv): attribute 'strides' is INTS, expected INT");
    expect(thrown(() => attrFloat(gemm, 'transB', 1)).message).toBe("node '/fc/Gemm' (Gemm): attribute 'transB' is INT, expected FLOAT");
  });

  it('read strings, lists, tensors and graphs written by the builders', () => {
    const body = makeGraph([], 'body', [], []);
    const node = makeNode(
      'Custom',
      ['x'],
      ['y'],
      { mode: 'nearest', names: ['a', 'é'], scales: [0.5, 2], value: tensorToProto('v', tensor('float32', [1], Float32Array.from([3]))), body: Attr.graph(body) },
    );
    expect(attrString(node, 'mode')).toBe('nearest');
    expect(attrStrings(node, 'names')).toEqual(['a', 'é']);
    expect(attrFloats(node, 'scales')).toEqual([0.5, 2]);
    expect([...tensorFromProto(attrTensor(node, 'value')).data]).toEqual([3]);
    expect(attrGraph(node, 'body')).toBe(body);
    expect(describeNode(node)).toBe('Custom node with outputs [y]');
  });

  it('refuse integers beyond the safe range, which findAttribute still gives exactly', () => {
    const node = makeNode('Slice', ['x'], ['y'], { ends: [2n ** 63n - 1n] }, 'slice');
    expect(thrown(() => attrInts(node, 'ends')).message).toMatch(/^node 'slice' \(Slice\): attribute 'ends' holds 9223372036854775807, beyond/);
    expect(findAttribute(node, 'ends')!.ints).toEqual([2n ** 63n - 1n]);
  });

  it('infer the kind of attributes written without a type field (IR 1)', () => {
    const node: NodeProto = makeNode('Op', [], ['y'], { k: 3n, f: 0.5, l: [1n] });
    for (const a of node.attribute) delete a.type;
    expect(attrInt(node, 'k')).toBe(3);
    expect(attrFloat(node, 'f')).toBe(0.5);
    expect(attrInts(node, 'l')).toEqual([1]);
    expect(attributeType({ ...findAttribute(node, 'k')!, i: undefined })).toBe(AttributeType.UNDEFINED);
  });
});
