import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envision, root, useTempDir } from './cli.js';

const dir = useTempDir('envision-sanity-');

/** An experiment on the tiny dual encoder with one cheap method; `sanity` and `methods` are YAML blocks. */
function experiment(name: string, out: string, sanity: string, methods = 'methods:\n  - id: saliency\n'): string {
  const file = join(dir(), name);
  writeFileSync(
    file,
    `model:
  adapter: medclip
  bundle: ${join(root, 'fixtures/tiny-dual')}
images:
  - ${join(root, 'fixtures/images/cxr-a.png')}
${methods}targets:
  - name: prompts
    texts: ["mild atelectasis", "cardiomegaly"]
output:
  dir: ${out}
${sanity}`,
  );
  return file;
}

/** Width and height of a PNG from its IHDR chunk. */
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('envision sanity', () => {
  it('prints a table per method and writes sanity.json, the figure and a report with the section', () => {
    const out = join(dir(), 'out');
    const file = experiment('tiny.yaml', out, 'sanity:\n  layers: 2\n');
    const r = envision(['sanity', file]);
    expect(r.stderr).toContain('envision sanity: step 5/5 random prompt');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^saliency \(saliency, (direct|jacobian); image .*cxr-a\.png, target prompts, 2 rows\)$/);
    expect(lines[1]).toMatch(/^step\s+randomised\s+spearman\s+ssim$/);
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/)[0])).toEqual(['cascading 1', 'cascading 2', 'independent 1', 'independent 2', 'random prompt']);
    expect(lines[3]).toContain('layers 1-2 (down to conv4.weight)');

    const sanity = JSON.parse(readFileSync(join(out, 'sanity.json'), 'utf8'));
    expect(sanity.format).toBe('envision-sanity/1');
    expect(sanity.settings).toEqual({ steps: 'both', layers: 2, seed: 42, similarity: ['spearman', 'ssim'], randomPrompt: true });
    expect(sanity.model.layers).toHaveLength(5);
    expect(sanity.model.randomised).toBe(2);
    expect(sanity.labels).toEqual(['mild atelectasis', 'cardiomegaly']);
    const [method] = sanity.methods;
    expect(method.method).toBe('saliency');
    expect(method.steps.map((s: { layers: number[] }) => s.layers)).toEqual([[1], [1, 2], [1], [2], []]);
    for (const step of method.steps) {
      for (const k of ['spearman', 'ssim']) {
        expect(step.rows[k]).toHaveLength(2);
        expect(Math.abs(step.similarity[k])).toBeLessThanOrEqual(1);
      }
    }
    // cascading 1 and independent 1 randomise the same layer with the same seed: the same maps
    expect(method.steps[2].similarity).toEqual(method.steps[0].similarity);
    // table cells are the JSON's numbers
    expect(lines[2]).toContain(String(Number(method.steps[0].similarity.spearman.toFixed(4))));

    const [w, h] = pngSize(readFileSync(join(out, method.figure)));
    expect(w).toBeGreaterThan(3 * 96);
    expect(h).toBeGreaterThan(3 * 96);
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(report).toContain('<h2>Sanity checks</h2>');
    expect(report).toContain('src="sanity/saliency.png"');
  }, 60_000);

  it('--json prints a line per step, then the files; --out writes elsewhere', () => {
    const out = join(dir(), 'elsewhere');
    const file = experiment('json.yaml', join(dir(), 'unused'), 'sanity:\n  layers: 1\n  steps: cascading\n  randomPrompt: false\n  similarity: [ssim]\n');
    const r = envision(['sanity', file, '--json', '--out', out]);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(['step', 'done']);
    expect(events[0]).toMatchObject({ method: 'saliency', step: 'cascading 1', kind: 'cascading', layers: [1] });
    expect(Object.keys(events[0].similarity)).toEqual(['ssim']);
    expect(existsSync(join(out, 'sanity.json'))).toBe(true);
    expect(existsSync(join(dir(), 'unused'))).toBe(false);
  }, 60_000);

  it('exits 2 with one line for an experiment without methods or with an unknown sanity field', () => {
    const none = envision(['sanity', experiment('none.yaml', join(dir(), 'none'), '', 'methods: []\n')]);
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/methods/);
    const unknown = envision(['sanity', experiment('unknown.yaml', join(dir(), 'unknown'), 'sanity:\n  layer: 3\n')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/sanity.*layer/);
    const badLayers = envision(['sanity', experiment('layers.yaml', join(dir(), 'layers'), 'sanity:\n  layers: 0\n')]);
    expect(badLayers.code).toBe(2);
    expect(badLayers.stderr.trim().split('\n')).toHaveLength(1);
    expect(envision(['sanity']).stderr.trim().split('\n')).toHaveLength(1);
  });
});
