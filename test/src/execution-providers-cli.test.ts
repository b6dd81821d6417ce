import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envision, root, useTempDir } from './cli.js';

// These machines have onnxruntime-node's CPU runtime only (no CUDA provider libraries): what follows is what a user
// without them sees. The exact reason is onnxruntime-node 1.30's.
const CUDA_REASON = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';
const INSTALL = 'install onnxruntime-node with its CUDA provider (ONNXRUNTIME_NODE_INSTALL=cuda12 at install time, e.g. ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node; needs CUDA 12 and cuDNN 9 on the library path)';

const tmp = useTempDir('envision-ep-');

/** A small experiment on the tiny dual encoder with a gradient method (forward and gradient sessions). */
function experiment(name: string, providers: string | undefined): { file: string; out: string } {
  const out = join(tmp(), `${name}-out`);
  const file = join(tmp(), `${name}.yaml`);
  writeFileSync(
    file,
    `model:
  adapter: medclip
  bundle: ${join(root, 'fixtures/tiny-dual')}
${providers === undefined ? '' : `  executionProviders: ${providers}\n`}images:
  - ${join(root, 'fixtures/phantoms/images/phantom-0.png')}
methods:
  - id: ig
    options: { steps: 2 }
targets:
  - name: dims
    dimensions: [0, 5]
  - name: prompts
    texts: ["mild atelectasis"]
output:
  dir: ${out}
  signs: [all]
`,
  );
  return { file, out };
}

describe('execution providers (model.executionProviders, --ep)', () => {
  it('[cuda] without the CUDA libraries: one line saying what failed and what to install, exit 2, nothing written', () => {
    const { file, out } = experiment('cuda', '[cuda]');
    const r = envision(['run', file]);
    expect(r.stderr).toBe(`envision run: execution provider cuda failed to load (${CUDA_REASON}): ${INSTALL}; or list cpu after it to fall back to the CPU (executionProviders: [cuda, cpu], --ep cuda,cpu)\n`);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    // --ep overrides the file, same line
    const cpuFile = experiment('cuda-flag', undefined);
    const flag = envision(['run', cpuFile.file, '--ep', 'cuda:0']);
    expect(flag.stderr).toMatch(/^envision run: execution provider cuda:0 failed to load \(OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library\): install onnxruntime-node with its CUDA provider \(ONNXRUNTIME_NODE_INSTALL=cuda12 [^\n]*--ep cuda:0,cpu\)\n$/);
    expect(flag.code).toBe(2);
    expect(existsSync(cpuFile.out)).toBe(false);
  });

  it('[cuda, cpu] runs on the CPU, warns once, gives the maps of a CPU run and records the providers', () => {
    const cpu = experiment('cpu', undefined);
    const fallback = experiment('fallback', '[cuda, cpu]');
    const a = envision(['run', cpu.file]);
    expect(a.code).toBe(0);
    expect(a.stderr).not.toContain('warning');
    const b = envision(['run', fallback.file]);
    expect(b.code).toBe(0);
    const warnings = b.stderr.split('\n').filter((l) => l.includes('warning'));
    expect(warnings).toEqual([`envision: warning: execution provider cuda (${CUDA_REASON}) failed to load; running on cpu as the list allows (${INSTALL})`]);
    const ma = JSON.parse(readFileSync(join(cpu.out, 'manifest.json'), 'utf8'));
    const mb = JSON.parse(readFileSync(join(fallback.out, 'manifest.json'), 'utf8'));
    expect(ma.model.executionProviders).toEqual({ requested: ['cpu'], used: ['cpu'] });
    expect(mb.model.executionProviders).toEqual({ requested: ['cuda', 'cpu'], used: ['cpu'], failed: [{ provider: 'cuda', reason: CUDA_REASON }] });
    expect(mb.items.map((i: { npy: string }) => i.npy)).toEqual(ma.items.map((i: { npy: string }) => i.npy));
    expect(ma.items.length).toBe(2);
    for (const item of ma.items as { npy: string }[]) expect(readFileSync(join(fallback.out, item.npy))).toEqual(readFileSync(join(cpu.out, item.npy)));
  });

  it('--ep rejects an unknown provider in one line naming the valid ones (exit 2), and a bad YAML list at its line', () => {
    const { file, out } = experiment('unknown', undefined);
    const valid = "(valid: cpu, cuda, tensorrt, dml, coreml, webgpu; a GPU as NAME:DEVICE, e.g. cuda:1; several comma-separated, e.g. cuda,cpu)";
    for (const args of [['run', file, '--ep', 'gpu,cpu'], ['embed', '--model', join(root, 'fixtures/tiny-dual'), '--prompt', 'x', '--out', join(tmp(), 'e.npy'), '--ep', 'gpu']]) {
      const r = envision(args);
      expect(r.stderr).toBe(`envision ${args[0]}: --ep: unknown execution provider 'gpu' ${valid}\n`);
      expect(r.code).toBe(2);
    }
    expect(existsSync(out)).toBe(false);
    const bad = experiment('bad-list', '[cuda, gpu]');
    const v = envision(['validate', bad.file]);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/bad-list\.yaml:4:\d+ model\.executionProviders\[1\]/);
  });

  it('commands that load a model themselves take --ep: cuda alone is one line (exit 2), cuda,cpu warns once and works', () => {
    const out = join(tmp(), 'embed.npy');
    const args = ['embed', '--model', join(root, 'fixtures/tiny-dual'), '--prompt', 'mild atelectasis', '--out', out];
    const failed = envision([...args, '--ep', 'cuda']);
    expect(failed.stderr).toBe(`envision embed: execution provider cuda failed to load (${CUDA_REASON}): ${INSTALL}; or list cpu after it to fall back to the CPU (executionProviders: [cuda, cpu], --ep cuda,cpu)\n`);
    expect(failed.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    const cpu = envision(args);
    expect(cpu.code).toBe(0);
    const cpuBytes = readFileSync(out);
    const fallback = envision([...args, '--ep', 'cuda,cpu']);
    expect(fallback.code).toBe(0);
    expect(fallback.stderr.split('\n').filter((l) => l.includes('warning'))).toEqual([`envision embed: warning: execution provider cuda (${CUDA_REASON}) failed to load; running on cpu as the list allows (${INSTALL})`]);
    expect(readFileSync(out)).toEqual(cpuBytes);
  });
});
