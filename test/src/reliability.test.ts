// Rows of the reliability issue (21), each reproduced as it was reported: one line on stderr, exit 2, nothing written.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, tensor } from '@envision/core';
import { DataType, encodeModel, makeGraph, makeModel, makeNode, makeTensorValueInfo } from '@envision/onnx-grad';
import { envision, root, useTempDir } from './cli.js';

const temp = useTempDir('envision-reliability-');
const MODEL = join(root, 'fixtures/occlusion/encoder.onnx');
const X = join(root, 'fixtures/occlusion/x.npy');
const oneLine = (r: { code: number; stderr: string; stdout: string }, message: RegExp) => {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
};

describe('row 21: usage errors go to stderr', () => {
  it.each([
    [[], /^envision: give a command \(see envision --help\)$/m],
    [['run'], /^envision run: give exactly one experiment file, got 0/],
    [['validate'], /^envision validate: give one or more experiment files/],
  ])('envision %j', (args, message) => {
    const r = envision(args);
    oneLine(r, message);
    expect(r.stdout).toBe('');
  });
});

describe('row 3: --out onto something that is not a regular file is refused, and left as it was', () => {
  it('a FIFO and a symbolic link', () => {
    const fifo = join(temp(), 'fifo');
    execFileSync('mkfifo', [fifo]);
    const link = join(temp(), 'link.npy');
    writeFileSync(join(temp(), 'target.npy'), 'keep');
    symlinkSync(join(temp(), 'target.npy'), link);
    for (const [out, what] of [[fifo, /it is not a regular file \(a device or FIFO\)/], [link, /it is a symbolic link/]] as const) {
      const r = envision(['preprocess', '--bundle', join(root, 'fixtures/tiny-dual'), '--image', join(root, 'fixtures/images/cxr-a.png'), '--out', out]);
      oneLine(r, what);
    }
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});

describe('row 6: an integer output as --of', () => {
  it('attribute and grad say it is not a float output', () => {
    const file = join(temp(), 'argmax.onnx');
    const graph = makeGraph(
      [makeNode('ArgMax', ['x'], ['idx'], { axis: 1n, keepdims: 1n }), makeNode('Relu', ['x'], ['y'])],
      'multi',
      [makeTensorValueInfo('x', DataType.FLOAT, ['batch', 4])],
      [makeTensorValueInfo('idx', DataType.INT64, ['batch', 1]), makeTensorValueInfo('y', DataType.FLOAT, ['batch', 4])],
    );
    writeFileSync(file, encodeModel(makeModel(graph, { '': 17 }, 8)));
    const x = join(temp(), 'x4.npy');
    writeFileSync(x, encodeNpy(tensor('float32', [1, 4], Float32Array.of(1, 2, 3, 4))));
    const out = join(temp(), 'idx.npy');
    oneLine(envision(['attribute', '--model', file, '--input', `x=${x}`, '--of', 'idx', '--wrt', 'x', '--method', 'saliency', '--target', '0', '--out', out]), /output 'idx' is int64: only a float output can be explained/);
    const cot = join(temp(), 'cot.npy');
    writeFileSync(cot, encodeNpy(tensor('float32', [1, 1], Float32Array.of(1))));
    oneLine(envision(['grad', '--model', file, '--input', `x=${x}`, '--of', 'idx', '--wrt', 'x', '--cotangent', cot, '--out', out]), /output 'idx' is int64: only a float output has gradients/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('rows 9 and 11: arguments that were accepted', () => {
  const base = (out: string) => ['attribute', '--model', MODEL, '--input', `x=${X}`, '--of', 'y', '--wrt', 'x', '--method', 'saliency', '--out', out];
  it.each([
    ['--threads 1000', ['--target', '0', '--threads', '1000'], /--threads must be an integer from 1 to 256, got '1000'/],
    ['--target ""', ['--target', ''], /--target must be a non-negative integer, got ''/],
    ['an input given twice', ['--target', '0', '--input', `x=${X}`], /--input x is given twice/],
    ['--option __proto__', ['--target', '0', '--option', '__proto__={"abs":false}'], /__proto__|must NOT have additional properties/],
  ])('%s', (_, extra, message) => {
    const out = join(temp(), 'a.npy');
    oneLine(envision([...base(out), ...extra]), message);
    expect(existsSync(out)).toBe(false);
  });
});
