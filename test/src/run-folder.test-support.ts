import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { envision, root } from './cli.js';

/**
 * The YAML of the tiny run the resume, worker and queue tests share: the tiny dual encoder, the given images
 * (absolute paths) × occlusion (a `window`² window) and saliency = one item each, two targets, two signs.
 */
export function tinyRunYaml(out: string, images: readonly string[], window = 56): string {
  return `model: { adapter: medclip, bundle: ${join(root, 'fixtures/tiny-dual')} }
images: [${images.join(', ')}]
methods:
  - { id: occlusion, options: { window: [3, ${window}, ${window}], strides: [3, ${window}, ${window}] } }
  - { id: saliency }
targets:
  - { name: dims, dimensions: [0, 5] }
  - { name: prompts, texts: ["mild atelectasis", "cardiomegaly"] }
output: { dir: ${out}, signs: [all, positive] }
`;
}

/**
 * The tiny run's experiment files in a test's temporary folder, and its reference run: `experiment(name, out)` writes
 * `NAME.yaml` (images named by fixture, e.g. `cxr-a`, or given as paths) and returns its path; `referenceRun()` runs
 * the default experiment once per test file and returns its folder, the run every other one must equal.
 */
export function tinyRunFiles(temp: () => string): {
  experiment(name: string, out: string, options?: { images?: readonly string[]; window?: number }): string;
  referenceRun(): string;
} {
  const experiment = (name: string, out: string, { images = ['cxr-a', 'cxr-b'], window = 56 }: { images?: readonly string[]; window?: number } = {}): string => {
    const file = join(temp(), `${name}.yaml`);
    writeFileSync(file, tinyRunYaml(out, images.map((i) => (i.includes('/') ? i : join(root, `fixtures/images/${i}.png`))), window));
    return file;
  };
  let reference = '';
  const referenceRun = (): string => {
    if (reference !== '') return reference;
    reference = join(temp(), 'reference');
    const r = envision(['run', experiment('reference', reference)]);
    expect(r.code, r.stderr).toBe(0);
    return reference;
  };
  return { experiment, referenceRun };
}

/** Every file of a run folder but the manifest, the report and the journal: path → bytes. */
export function runOutputs(out: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) {
        if (e !== '.envision-journal') walk(p);
      } else if (e !== 'manifest.json' && e !== 'report.html') files.set(relative(out, p), readFileSync(p));
    }
  };
  walk(out);
  return files;
}

/** The manifest without its timings, creation time, output folder and experiment file. */
export function manifestSansTimings(out: string): unknown {
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  delete m.createdAt;
  delete m.timings;
  delete m.configFile;
  delete m.config.configFile;
  delete m.config.baseDir;
  delete m.config.output.dir;
  for (const i of m.items) delete i.milliseconds;
  for (const p of m.perDimension) delete p.milliseconds;
  return m;
}

/** Two run folders hold the same files byte for byte (maps and overlays among them) and the same manifest but timings. */
export function expectSameRun(a: string, b: string): void {
  const fa = runOutputs(a);
  const fb = runOutputs(b);
  expect([...fb.keys()].sort()).toEqual([...fa.keys()].sort());
  expect([...fa.keys()].filter((k) => k.endsWith('.npy')).length).toBeGreaterThan(0);
  expect([...fa.keys()].filter((k) => k.endsWith('.png')).length).toBeGreaterThan(0);
  for (const [k, bytes] of fa) expect(Buffer.compare(bytes, fb.get(k)!), k).toBe(0);
  expect(manifestSansTimings(b)).toEqual(manifestSansTimings(a));
}
