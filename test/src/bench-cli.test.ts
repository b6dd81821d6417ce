import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envision, root } from './cli.js';

// `envision bench phantom` end to end on the bundled phantom model, at a small N with lighter method options.
const METHODS = ['occlusion', 'ig', 'gradshap', 'guided-backprop'];
const METRICS = ['pointingGame', 'energyInBox', 'massOutsideBody', 'classMapSimilarity', 'deletionAuc', 'insertionAuc'];
const FAST = ['--accuracy-n', '40', '--figures', '1', '--steps', '8', '--option', 'ig.steps=8', '--option', 'gradshap.samples=4'];

let dir: string;
let first: { code: number; stdout: string; stderr: string };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envision-bench-cli-'));
  first = envision(['bench', 'phantom', '--n', '2', '--json', '--out', join(dir, 'a'), ...FAST]);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Files left in a folder (none when it does not exist). */
function filesIn(path: string): string[] {
  return existsSync(path) ? readdirSync(path) : [];
}

describe('envision bench phantom --json', () => {
  it('prints exactly one JSON document: the contract keys, numbers in range, n = 2', () => {
    expect(first.stderr).toContain('envision bench:');
    expect(first.code).toBe(0);
    expect(first.stdout.endsWith('\n')).toBe(true);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    const json = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['zeroShotAccuracy', 'n', 'methods']);
    expect(json.n).toBe(2);
    expect(typeof json.zeroShotAccuracy).toBe('number');
    expect(json.zeroShotAccuracy).toBeGreaterThanOrEqual(0);
    expect(json.zeroShotAccuracy).toBeLessThanOrEqual(1);
    const methods = json.methods as Record<string, Record<string, Record<string, unknown>>>;
    expect(Object.keys(methods)).toEqual(METHODS);
    for (const id of METHODS) {
      expect(Object.keys(methods[id]!)).toEqual(['baseline', 'proposed']);
      for (const approach of ['baseline', 'proposed']) {
        const s = methods[id]![approach]!;
        expect(Object.keys(s)).toEqual(METRICS);
        for (const key of METRICS) expect(typeof s[key], `${id} ${approach} ${key}`).toBe('number');
        for (const key of ['pointingGame', 'energyInBox', 'massOutsideBody', 'deletionAuc', 'insertionAuc']) {
          expect(s[key] as number, `${id} ${approach} ${key}`).toBeGreaterThanOrEqual(0);
          expect(s[key] as number, `${id} ${approach} ${key}`).toBeLessThanOrEqual(1);
        }
        expect(s.classMapSimilarity as number).toBeGreaterThanOrEqual(-1);
        expect(s.classMapSimilarity as number).toBeLessThanOrEqual(1);
      }
    }
  });

  it('writes bench.json (the same JSON), findings.json, the figure and report.html with the table', () => {
    const out = join(dir, 'a');
    expect(filesIn(out).sort()).toEqual(['bench.json', 'figures', 'findings.json', 'report.html']);
    expect(readFileSync(join(out, 'bench.json'), 'utf8')).toBe(first.stdout);
    expect(filesIn(join(out, 'figures'))).toHaveLength(1);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const table = /<table class="metrics bench-results">[\s\S]*?<\/table>/.exec(html)?.[0];
    expect(table).toBeDefined();
    for (const id of METHODS) for (const approach of ['baseline', 'proposed']) expect(table).toContain(`<tr><th scope="row">${id}</th><td>${approach}</td>`);
    expect(html).toContain('Zero-shot accuracy');
    const details = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8')) as { settings: { seeds: number[]; methods: { id: string; options: Record<string, unknown> }[] } };
    expect(details.settings.seeds).toHaveLength(2);
    expect(details.settings.methods.find((m) => m.id === 'ig')!.options.steps).toBe(8);
  });

  it('gives identical JSON on a second run, and prints the table without --json', () => {
    const out = join(dir, 'b');
    const second = envision(['bench', 'phantom', '--n', '2', '--out', out, ...FAST]);
    expect(second.code).toBe(0);
    expect(readFileSync(join(out, 'bench.json'), 'utf8')).toBe(first.stdout);
    expect(second.stdout).toMatch(/^Envision phantom benchmark: /);
    expect(second.stdout).toMatch(/zero-shot accuracy {2}\d\.\d{4} \(\d+\/\d+ held-out images with at most one finding, seeds \d+–\d+/);
    expect(second.stdout).toMatch(/\nmethod +approach +pointing +energy-in-box +outside-body +class-sim +deletion +insertion\n/);
    for (const id of METHODS) expect(second.stdout).toMatch(new RegExp(`\\n${id} +baseline( +-?\\d\\.\\d{4}){6}\\n${id} +proposed( +-?\\d\\.\\d{4}){6}\\n`));
    expect(second.stdout).toContain('ig               {"steps":8,');
  }, 180_000);
});

describe('envision bench phantom --methods input-x-gradient,noise-tunnel', () => {
  it('runs the methods --methods may add, noise-tunnel over the signed saliency by default', () => {
    const out = join(dir, 'extra');
    const r = envision(['bench', 'phantom', '--n', '1', '--json', '--out', out, '--methods', 'input-x-gradient,noise-tunnel', '--option', 'noise-tunnel.samples=2', ...FAST.slice(0, 6)]);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys((JSON.parse(r.stdout) as { methods: Record<string, unknown> }).methods)).toEqual(['input-x-gradient', 'noise-tunnel']);
    const details = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8')) as { settings: { methods: { id: string; options: Record<string, unknown> }[] } };
    expect(details.settings.methods.find((m) => m.id === 'noise-tunnel')!.options).toMatchObject({ method: 'saliency', methodOptions: { abs: false }, type: 'smoothgrad', samples: 2, seed: 0 });
  }, 180_000);
});

describe('envision bench phantom --methods with the feature-mask methods', () => {
  it('runs feature-ablation, shapley-sampling, kernel-shap and lime (not run by default), numbers in range', () => {
    const out = join(dir, 'feature-mask');
    const light = ['--option', 'shapley-sampling.samples=2', '--option', 'kernel-shap.samples=40', '--option', 'lime.samples=40'];
    const ids = ['feature-ablation', 'shapley-sampling', 'kernel-shap', 'lime'];
    const r = envision(['bench', 'phantom', '--n', '1', '--json', '--out', out, '--accuracy-n', '10', '--figures', '0', '--steps', '4', '--methods', ids.join(','), ...light]);
    expect(r.code).toBe(0);
    const methods = (JSON.parse(r.stdout) as { methods: Record<string, Record<string, Record<string, number>>> }).methods;
    expect(Object.keys(methods)).toEqual(ids);
    for (const id of ids) {
      for (const approach of ['baseline', 'proposed']) {
        const s = methods[id]![approach]!;
        expect(Object.keys(s)).toEqual(METRICS);
        for (const metric of ['pointingGame', 'energyInBox', 'massOutsideBody', 'deletionAuc', 'insertionAuc']) {
          expect(s[metric]).toBeGreaterThanOrEqual(0);
          expect(s[metric]).toBeLessThanOrEqual(1);
        }
      }
    }
  }, 180_000);
});

describe('envision bench phantom --methods rise', () => {
  it('runs RISE with its bench defaults (8×8 cells, p 0.5, seed S), N from --option', () => {
    const out = join(dir, 'rise');
    const r = envision(['bench', 'phantom', '--n', '1', '--json', '--out', out, '--methods', 'rise', '--option', 'rise.masks=40', ...FAST.slice(0, 6)]);
    expect(r.code, r.stderr).toBe(0);
    const rise = (JSON.parse(r.stdout) as { methods: Record<string, Record<string, Record<string, number>>> }).methods.rise!;
    for (const approach of ['baseline', 'proposed']) expect(rise[approach]!.energyInBox).toBeGreaterThan(0);
    const details = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8')) as { settings: { methods: { id: string; options: Record<string, unknown> }[] } };
    expect(details.settings.methods.find((m) => m.id === 'rise')!.options).toMatchObject({ masks: 40, cells: 8, probability: 0.5, perturbationsPerEval: 50, seed: 0 });
  }, 180_000);
});

describe('envision bench phantom --methods grad-cam', () => {
  it('runs Grad-CAM on the layer --option names (the last Swin stage, its tokens as the patch grid)', () => {
    const out = join(dir, 'grad-cam');
    const r = envision(['bench', 'phantom', '--n', '1', '--json', '--out', out, '--methods', 'grad-cam', '--option', 'grad-cam.layer=/stages.2.1/Add_2_output_0', '--option', 'grad-cam.tokens=all', ...FAST.slice(0, 6)]);
    expect(r.code, r.stderr).toBe(0);
    const gc = (JSON.parse(r.stdout) as { methods: Record<string, Record<string, Record<string, number>>> }).methods['grad-cam']!;
    for (const approach of ['baseline', 'proposed']) expect(gc[approach]!.energyInBox).toBeGreaterThan(0);
    const details = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8')) as { settings: { methods: { id: string; options: Record<string, unknown> }[] } };
    expect(details.settings.methods.find((m) => m.id === 'grad-cam')!.options).toEqual({ upsample: 'bilinear', relu: false, layer: '/stages.2.1/Add_2_output_0', tokens: 'all' });
  }, 180_000);
});

describe('envision bench: bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['N < 1', ['--n', '0'], /^envision bench: --n must be an integer ≥ 1, got '0'$/],
    ['N not a number', ['--n', 'two'], /^envision bench: --n must be an integer ≥ 1, got 'two'$/],
    ['N beyond the held-out range', ['--n', '100000'], /^envision bench: --n must be at most the \d+ held-out seeds of .*training\.json, got 100000$/],
    ['an unknown method', ['--methods', 'ig,oclusion'], /^envision bench: --methods: unknown method 'oclusion' \(methods: occlusion, ig, gradshap, guided-backprop, input-x-gradient, noise-tunnel, feature-ablation, shapley-sampling, kernel-shap, lime, rise, grad-cam\)$/],
    ['grad-cam without its layer', ['--methods', 'grad-cam'], /^envision bench: --methods grad-cam needs --option grad-cam\.layer=NAME, the vision model tensor to explain/],
    ['grad-cam with a layer that is not a name', ['--methods', 'grad-cam', '--option', 'grad-cam.layer=5'], /^envision bench: method grad-cam options: options\.layer must be string$/],
    ['grad-cam with unknown token handling', ['--methods', 'grad-cam', '--option', 'grad-cam.layer=/stages.2.1/Add_2_output_0', '--option', 'grad-cam.tokens=bogus'], /^envision bench: method grad-cam options: options\.tokens must be equal to one of the allowed values$/],
    ['grad-cam on a tensor the model lacks', ['--n', '1', '--methods', 'grad-cam', '--option', 'grad-cam.layer=/stages.2.1/Add_9_output_0', '--accuracy-n', '4'], /^envision bench: .*no intermediate value '\/stages\.2\.1\/Add_9_output_0'; close names: .*\/stages\.2\.1\/Add_2_output_0/],
    ['an option for a method not run', ['--methods', 'ig', '--option', 'occlusion.window=[3,8,8]'], /^envision bench: --option expects METHOD\.KEY=VALUE with METHOD one of ig, got/],
    ['a bad tolerance', ['--tolerance=-1'], /^envision bench: --tolerance must be a number of pixels ≥ 0, got '-1'$/],
    ['an unknown flag', ['--frobnicate'], /^envision bench: .*frobnicate.*\(see envision bench --help\)$/],
    ['a missing bundle', ['--bundle', '/nonexistent/bundle'], /^envision bench: --bundle \/nonexistent\/bundle: no such folder/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: one line, exit 2, nothing written`, () => {
      const out = join(dir, `bad-${what.replace(/\W+/g, '-')}`);
      const r = envision(['bench', 'phantom', '--out', out, ...args]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(filesIn(out)).toEqual([]);
    });
  }

  it('names the benchmark when it is missing or unknown', () => {
    for (const args of [['bench'], ['bench', 'mimic']]) {
      const r = envision(args);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toMatch(/^envision bench: envision bench expects the benchmark name phantom, got (nothing|'mimic')/);
    }
  });

  it('benchmarks any adapter\'s folder with --model: a clip folder without training record or prompts', () => {
    // fixtures/phantom-clip without its training.json and prompts.yaml: the folder of a clip model, nothing more
    const model = join(dir, 'bare-clip');
    cpSync(join(root, 'fixtures/phantom-clip'), model, { recursive: true });
    for (const f of ['training.json', 'prompts.yaml']) rmSync(join(model, f));
    const out = join(dir, 'bare-clip-out');
    const r = envision(['bench', 'phantom', '--model', model, '--n', '1', '--methods', 'occlusion', '--accuracy-n', '10', '--figures', '0', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/bare-clip has no training\.json: held-out seeds of .*phantom-medclip\/training\.json\n/);
    expect(r.stderr).toMatch(/bare-clip has no prompts\.yaml: prompts are the phantom class names\n/);
    expect(r.stderr).toMatch(/bare-clip: 128 px, 8 classes; held-out seeds 100000–100499; 1 phantom/);
    const json = JSON.parse(r.stdout) as { n: number; methods: Record<string, Record<string, Record<string, number>>> };
    expect(Object.keys(json)).toEqual(['zeroShotAccuracy', 'n', 'methods']);
    expect(json.n).toBe(1);
    for (const approach of ['baseline', 'proposed']) expect(Object.keys(json.methods['occlusion']![approach]!)).toEqual(METRICS);
    expect(readFileSync(join(out, 'bench.json'), 'utf8')).toBe(r.stdout);
  }, 120_000);

  it('rejects --model with --bundle, and a --model folder no adapter reads', () => {
    const both = envision(['bench', 'phantom', '--model', join(root, 'fixtures/tiny-clip'), '--bundle', join(root, 'fixtures/phantom-medclip')]);
    expect(both.code).toBe(2);
    expect(both.stderr.trim()).toBe('envision bench: give --model DIR or --bundle DIR, not both (see envision bench --help)');
    const none = envision(['bench', 'phantom', '--model', join(root, 'fixtures/images')]);
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toMatch(/^envision bench: --model .*fixtures\/images: no envision\.json/);
  });

  it('names the missing file of an incomplete bundle', () => {
    const bundle = join(dir, 'incomplete');
    mkdirSync(bundle);
    for (const f of ['envision.json', 'prompts.yaml']) copyFileSync(join(root, 'fixtures/phantom-medclip', f), join(bundle, f));
    const r = envision(['bench', 'phantom', '--bundle', bundle, '--out', join(dir, 'incomplete-out')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^envision bench: --bundle .*incomplete: training\.json is missing \(--bundle must be a phantom bundle folder/);
    expect(filesIn(join(dir, 'incomplete-out'))).toEqual([]);
  });

  it('rejects an output folder that cannot be created', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = envision(['bench', 'phantom', '--n', '1', '--out', join(file, 'sub')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^envision bench: --out .*a-file\/sub: /);
  });

  it('rejects a bad method option before any long work, leaving no file', () => {
    const out = join(dir, 'bad-option');
    const r = envision(['bench', 'phantom', '--n', '1', '--out', out, '--methods', 'ig', '--option', 'ig.steps=0']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^envision bench: method ig options: options\.steps must be >= 1$/);
    expect(r.stderr).not.toContain('generating held-out phantoms');
    expect(filesIn(out)).toEqual([]);
  });
});
