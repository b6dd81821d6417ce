// Rows of the reliability issue (21), each reproduced as it was reported: one line on stderr, exit 2, nothing written.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy, tensor } from '@envision/core';
import { DataType, encodeModel, makeGraph, makeModel, makeNode, makeTensorValueInfo, tensorToProto } from '@envision/onnx-grad';
import { envision, root, useTempDir } from './cli.js';

const temp = useTempDir('envision-reliability-');
const MODEL = join(root, 'fixtures/occlusion/encoder.onnx');
const X = join(root, 'fixtures/occlusion/x.npy');
const readNpySync = (file: string) => parseNpy(readFileSync(file), file);
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

/** A grey 8-bit PNG of `width × height` (all zero), written by hand. */
function greyPng(width: number, height: number): Buffer {
  const chunk = (kind: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(kind, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const rows = Buffer.alloc(height * (width + 1)); // filter byte 0 and zero pixels on every row
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

describe('rows 1 and 2: sizes that allocate are bounded before allocating', () => {
  it('a 100000 × 1 image: small, but its padded square (or resized image) is over the pixel limit', () => {
    const thin = join(temp(), 'thin.png');
    writeFileSync(thin, greyPng(100000, 1));
    const out = join(temp(), 'thin.npy');
    oneLine(envision(['preprocess', '--bundle', join(root, 'fixtures/tiny-dual'), '--image', thin, '--out', out]), /it is 100000×1, padded to a square 100000×100000 = 10000000000 pixels, over the limit/);
    oneLine(envision(['preprocess', '--model', join(root, 'fixtures/tiny-clip'), '--image', thin, '--out', out]), /it is 100000×1, resized to \d+×32 = \d+ pixels, over the limit/);
    expect(existsSync(out)).toBe(false);
  });
  it('a bundle asking for image.size 100000 or 100000 channels', () => {
    for (const [field, value] of [['image', 'size'], ['vision', 'channels']] as const) {
      const bundle = join(temp(), `bundle-${value}`);
      cpSync(join(root, 'fixtures/tiny-dual'), bundle, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(bundle, 'envision.json'), 'utf8'));
      manifest[field][value] = 100000;
      writeFileSync(join(bundle, 'envision.json'), JSON.stringify(manifest));
      oneLine(envision(['preprocess', '--bundle', bundle, '--image', join(root, 'fixtures/images/cxr-a.png'), '--out', join(temp(), 'b.npy')]), new RegExp(`envision\\.json.*${value}.*(<=|maximum|must be)`));
    }
  });
});

describe('row 4: values that are not finite', () => {
  it('a NaN in an input file is named; an option that overflows float32 is a method error, not a NaN map', () => {
    const nan = join(temp(), 'nan.npy');
    const x = readNpySync(X);
    x.data[5] = Number.NaN;
    writeFileSync(nan, encodeNpy(x));
    const out = join(temp(), 'n.npy');
    oneLine(envision(['attribute', '--model', MODEL, '--input', `x=${nan}`, '--of', 'y', '--wrt', 'x', '--method', 'saliency', '--target', '0', '--out', out]), /nan\.npy: element 5 is NaN; inputs must be finite numbers/);
    oneLine(envision(['attribute', '--model', MODEL, '--input', `x=${X}`, '--of', 'y', '--wrt', 'x', '--method', 'ig', '--option', 'baseline=1e39', '--target', '0', '--out', out]), /method ig produced (NaN|-?Infinity) in map row 0/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('row 14: a method or target named ".." cannot leave the output folder', () => {
  it('validate refuses it at its line', () => {
    const yaml = join(temp(), 'dots.yaml');
    writeFileSync(yaml, `model: { adapter: medclip, bundle: ${join(root, 'fixtures/tiny-dual')} }\nimages: [${join(root, 'fixtures/images/cxr-a.png')}]\nmethods: [{ id: saliency, name: ".." }]\ntargets: [{ name: t, texts: [x] }]\n`);
    const r = envision(['validate', yaml]);
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/dots\.yaml:3:\d+ methods\[0\]\.name must match pattern/);
  });
});

describe("row 20: onnxruntime's telemetry writes nothing outside the output folder", () => {
  it('an occlusion run leaves HOME and TMPDIR empty (telemetry left on by the environment would fill both)', () => {
    const home = join(temp(), 'home');
    const tmp = join(temp(), 'tmp');
    const out = join(temp(), 'out');
    for (const d of [home, tmp, out]) execFileSync('mkdir', ['-p', d]);
    const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, TMPDIR: tmp, FORCE_COLOR: '0' };
    // (CI=true alone would switch onnxruntime's telemetry off: the variables that do are left out on purpose.)
    const args = [join(root, 'packages/cli/dist/bin.js'), 'attribute', '--model', MODEL, '--input', `x=${X}`, '--of', 'y', '--wrt', 'x', '--method', 'occlusion', '--option', 'window=[3,4,4]', '--target', '0', '--out', join(out, 'a.npy')];
    execFileSync(process.execPath, args, { env, stdio: 'pipe' });
    expect(existsSync(join(out, 'a.npy'))).toBe(true);
    const listing = (d: string) => execFileSync('find', [d, '-mindepth', '1'], { encoding: 'utf8' }).trim();
    expect(listing(home)).toBe('');
    expect(listing(tmp)).toBe('');
  });
});

describe('rows 17 and 18: a run owns its folder; a re-run never leaves a manifest describing other data', () => {
  const yaml = (out: string, window: number) => {
    const file = join(temp(), `run-${window}.yaml`);
    writeFileSync(
      file,
      `model: { adapter: medclip, bundle: ${join(root, 'fixtures/tiny-dual')} }\nimages: [${join(root, 'fixtures/images/cxr-a.png')}]\nmethods: [{ id: occlusion, options: { window: [3, ${window}, ${window}], strides: [3, ${window}, ${window}] } }]\ntargets: [{ name: dims, dimensions: [0] }]\noutput: { dir: ${out} }\n`,
    );
    return file;
  };

  it('a second run into a folder a live run holds is refused in one line, and the folder is untouched', () => {
    const out = join(temp(), 'locked');
    expect(envision(['run', yaml(out, 56)]).code).toBe(0);
    const before = readFileSync(join(out, 'manifest.json'), 'utf8');
    // The lock a running `envision run` keeps: this test process is alive, so the folder is held.
    writeFileSync(join(out, '.envision-run.lock'), JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-12-07T20:00:00.000Z' }));
    const r = envision(['run', yaml(out, 112)]);
    oneLine(r, new RegExp(`^envision run: .*locked is being written by another run \\(pid ${process.pid}, since 2026-12-07T20:00:00\\.000Z\\); wait for it, or choose another output\\.dir`));
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(before);
  });

  it('a re-run killed after it started writes no manifest that describes the earlier data; the next run cleans up', async () => {
    const out = join(temp(), 'rerun');
    expect(envision(['run', yaml(out, 56)]).code).toBe(0);
    // Kill the re-run once it has taken the folder (the earlier manifest moved aside, before any data is written).
    const child = spawn(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'run', yaml(out, 28)], { stdio: 'ignore' });
    const lock = join(out, '.envision-run.lock');
    const aside = join(out, '.envision-previous-manifest.json');
    for (let k = 0; k < 1000 && !existsSync(aside); k++) await new Promise((r) => setTimeout(r, 2));
    expect(existsSync(lock)).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    expect(existsSync(join(out, '.envision-previous-manifest.json'))).toBe(true);
    // The lock of the killed run is stale, but the folder holds its unfinished run: a plain run says so (exit 2), and
    // --fresh takes the folder over and leaves one consistent run.
    oneLine(envision(['run', yaml(out, 112)]), /holds an unfinished run .*; continue it with --resume, or start over with --fresh/);
    expect(envision(['run', yaml(out, 112), '--fresh']).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { config: { methods: { options: { window: number[] } }[] } };
    expect(manifest.config.methods[0]!.options.window).toEqual([3, 112, 112]);
    expect(existsSync(lock)).toBe(false);
    expect(existsSync(join(out, '.envision-previous-manifest.json'))).toBe(false);
  });
});

describe('row 10: a 30 KB argument no longer crashes onnxruntime (its telemetry recorded the command line)', () => {
  it('embed with a prompt of 3500 words exits 0', () => {
    const out = join(temp(), 'long.npy');
    const prompt = Array.from({ length: 3500 }, () => 'effusion').join(' ');
    // A clean environment: CI=true alone would switch onnxruntime's telemetry off and hide the crash.
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(temp(), 'home'), FORCE_COLOR: '0' };
    const r = spawnSync(process.execPath, [join(root, 'packages/cli/dist/bin.js'), 'embed', '--bundle', join(root, 'fixtures/tiny-medclip'), '--prompt', prompt, '--out', out], { env, encoding: 'utf8' });
    expect(r.signal).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(readNpySync(out).shape).toEqual([1, 64]);
  });
});

describe("row 8: onnxruntime's own log lines never reach stderr", () => {
  it('a model with an unused initializer (onnxruntime warns, in colour) gives only the one summary line', () => {
    const model = join(temp(), 'unused-initializer.onnx');
    const graph = makeGraph([makeNode('Neg', ['x'], ['y'])], 'g', [makeTensorValueInfo('x', DataType.FLOAT, ['batch', 3])], [makeTensorValueInfo('y', DataType.FLOAT, ['batch', 3])], [
      tensorToProto('unused', tensor('float32', [2], Float32Array.of(1, 2))),
    ]);
    writeFileSync(model, encodeModel(makeModel(graph, { '': 17 })));
    const x = join(temp(), 'x3.npy');
    writeFileSync(x, encodeNpy(tensor('float32', [1, 3], Float32Array.of(1, 2, 3))));
    const r = envision(['attribute', '--model', model, '--input', `x=${x}`, '--of', 'y', '--wrt', 'x', '--method', 'saliency', '--target', '0', '--out', join(temp(), 'w.npy')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/onnxruntime|\u001b\[/);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^envision attribute: wrote .*w\.npy \[1, 3\] \(saliency/)]);
  });
});

describe('row 16: a run stopped by bad input leaves no partial output', () => {
  it("a run whose second image is not an image: exit 2 in one line, and neither image 1's files nor the folder remain", () => {
    const out = join(temp(), 'partial');
    const bad = join(temp(), 'not-an-image.png');
    writeFileSync(bad, 'hello, I am text');
    const yaml = join(temp(), 'partial.yaml');
    writeFileSync(
      yaml,
      `model: { adapter: medclip, bundle: ${join(root, 'fixtures/tiny-dual')} }\nimages: [${join(root, 'fixtures/images/cxr-a.png')}, ${bad}]\nmethods: [{ id: occlusion, options: { window: [3, 112, 112], strides: [3, 112, 112] } }]\ntargets: [{ name: dims, dimensions: [0] }]\noutput: { dir: ${out} }\n`,
    );
    const r = envision(['run', yaml]);
    oneLine(r, /^envision run: .*not-an-image\.png/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('row 16 (the other two reproductions): refused before anything is written', () => {
  it('a 300-character target name', () => {
    const out = join(temp(), 'long-name');
    const yaml = join(temp(), 'long-name.yaml');
    writeFileSync(yaml, `model: { adapter: medclip, bundle: ${join(root, 'fixtures/tiny-dual')} }\nimages: [${join(root, 'fixtures/images/cxr-a.png')}]\nmethods: [{ id: occlusion, options: { window: [3, 112, 112] } }]\ntargets: [{ name: ${'t'.repeat(300)}, dimensions: [0] }]\noutput: { dir: ${out} }\n`);
    const r = envision(['run', yaml]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/long-name\.yaml:\d+:\d+ targets\[0\]\.name must match pattern/);
    expect(existsSync(out)).toBe(false);
  });

  it('phantom --seed 9007199254740991 (seed + n - 1 past the safe integers)', () => {
    const out = join(temp(), 'phantom-seed');
    const r = envision(['phantom', '--n', '3', '--seed', '9007199254740991', '--out', out]);
    oneLine(r, /^envision phantom: phantom seed \+ n − 1 must be an integer ≥ 0, got 9007199254740992/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('output paths stay inside the output folder, symbolic links included', () => {
  it('a link named like an image folder, left in the output folder, is refused in one line and nothing is written through it', () => {
    const out = join(temp(), 'linked');
    const elsewhere = join(temp(), 'elsewhere');
    execFileSync('mkdir', ['-p', out, elsewhere]);
    symlinkSync(elsewhere, join(out, 'cxr-a'));
    const yaml = join(temp(), 'linked.yaml');
    writeFileSync(yaml, `model: { adapter: medclip, bundle: ${join(root, 'fixtures/tiny-dual')} }\nimages: [${join(root, 'fixtures/images/cxr-a.png')}]\nmethods: [{ id: occlusion, options: { window: [3, 112, 112], strides: [3, 112, 112] } }]\ntargets: [{ name: dims, dimensions: [0] }]\noutput: { dir: ${out} }\n`);
    const r = envision(['run', yaml]);
    oneLine(r, /^envision run: .*linked\/cxr-a\/occlusion\/dims\.npy would be written outside the output folder .*; remove that link/);
    expect(execFileSync('find', [elsewhere, '-mindepth', '1'], { encoding: 'utf8' })).toBe('');
  });
});

describe('objects keyed by names from user files have no prototype', () => {
  it('a model whose input and output are named __proto__ and constructor is attributed like any other', () => {
    const model = join(temp(), 'proto-names.onnx');
    const graph = makeGraph([makeNode('Neg', ['__proto__'], ['constructor'])], 'g', [makeTensorValueInfo('__proto__', DataType.FLOAT, ['batch', 3])], [makeTensorValueInfo('constructor', DataType.FLOAT, ['batch', 3])], []);
    writeFileSync(model, encodeModel(makeModel(graph, { '': 17 })));
    const x = join(temp(), 'proto-x.npy');
    writeFileSync(x, encodeNpy(tensor('float32', [1, 3], Float32Array.of(1, 2, 3))));
    const out = join(temp(), 'proto-g.npy');
    const r = envision(['attribute', '--model', model, '--input', `__proto__=${x}`, '--of', 'constructor', '--wrt', '__proto__', '--method', 'saliency', '--option', 'abs=false', '--target', '1', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    // d(−x₁)/dx = (0, −1, 0)
    expect(Array.from(readNpySync(out).data as Float32Array, (v) => v + 0)).toEqual([0, -1, 0]);
  });
});
