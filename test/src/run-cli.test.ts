import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNpy } from '@envision/core';
import { envision, root } from './cli.js';

let dir: string;

/** A small, fast experiment on the tiny dual encoder; `extra` is appended to the YAML. */
function experiment(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

const fast = (image: string, out: string) => `model:
  adapter: medclip
  bundle: ${join(root, 'fixtures/tiny-dual')}
images:
  - ${image}
methods:
  - id: occlusion
    options: { window: [3, 56, 56], strides: [3, 56, 56], perturbationsPerEval: 16 }
targets:
  - name: dims
    dimensions: [0, 5]
  - name: prompts
    texts: ["mild atelectasis", "<script>alert(1)</script> Cardiomegaly"]
output:
  dir: ${out}
  signs: [all, positive]
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'envision-run-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('envision validate', () => {
  it('accepts the bundled configs', () => {
    const r = envision(['validate', 'configs/demo.yaml']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('configs/demo.yaml: ok\n');
    expect(r.code).toBe(0);
  });

  it('prints every problem as FILE:LINE:COL path message and exits 2', () => {
    const file = experiment(
      'bad.yaml',
      `model:
  adapter: medclip
  bundle: x
images: [a.png]
methods:
  - id: occlusion
    options: { window: [3, 8, 8] }
  - id: occlusion
    name: second
    options:
      window: [8, 0, 8]
  - id: oclusion
targets:
  - name: t
    dimensions: [0]
strategy: sideways
`,
    );
    const r = envision(['validate', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContain(`${file}:11:19 methods[1].options.window[1] must be >= 1`);
    expect(lines.some((l) => l.startsWith(`${file}:12:`) && l.includes("unknown method 'oclusion'; did you mean 'occlusion'?"))).toBe(true);
    expect(lines.some((l) => l.startsWith(`${file}:16:11 strategy must be equal to one of the allowed values`))).toBe(true);
  });

  it('loads the model: names a bundle that is not there, and warns about a classifier target whose rule ignores class groups', () => {
    const model = `model:\n  adapter: medclip\n  bundle: ${join(root, 'fixtures/tiny-dual')}\n`;
    const rest = `images: [${join(root, 'fixtures/images/cxr-a.png')}]
methods:
  - id: saliency
targets:
  - name: findings
    target: classifier
    fusion: { id: softmax }
    classes: { edema: [edema, lung edema], effusion: [pleural effusion] }
`;
    const warned = experiment('groups.yaml', model + rest);
    const a = envision(['validate', warned]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(`${warned}: ok\n`);
    expect(a.stderr).toBe(
      `${warned}: warning: targets findings: fusion 'softmax' ignores class groups, so this classifier target explains each of its 3 prompts rather than its 2 classes (prompts of one class compete with each other); use an ensemble rule (mean or max) for one score per class\n`,
    );
    const missing = experiment('nobundle.yaml', model.replace('tiny-dual', 'no-such-bundle') + rest);
    const b = envision(['validate', missing]);
    expect(b.code).toBe(2);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*no-such-bundle`));
  });

  it('reports YAML syntax errors with their line and column', () => {
    const file = experiment('syntax.yaml', 'model:\n  adapter: medclip\n images: [\n');
    const r = envision(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ \\(yaml\\) `));
  });

  it('validates --set overrides the same way', () => {
    const bad = envision(['validate', 'configs/demo.yaml', '--set', 'methods[0].options.window=[3,0,8]']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^configs\/demo\.yaml:\d+:\d+ methods\[0\]\.options\.window\[1\] must be >= 1 \(from --set\)$/m);
    const good = envision(['validate', 'configs/demo.yaml', '--set', 'output.outlierPerc=5']);
    expect(good.code).toBe(0);
  });
});

describe('envision run', () => {
  it('writes maps, overlays and a manifest, with one JSON line per item', async () => {
    const out = join(dir, 'run1');
    const file = experiment('ok.yaml', fast(join(root, 'fixtures/images/cxr-b.png'), out));
    const r = envision(['run', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual(['item', 'item', 'done']);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.format).toBe('envision-run/1');
    expect(manifest.versions['onnxruntime-node']).toBe('1.30.0');
    expect(manifest.versions['@envision/method-occlusion']).toBe('0.1.0');
    expect(Object.keys(manifest.model.hashes).length).toBeGreaterThan(0);
    expect(manifest.items).toHaveLength(2);
    for (const item of manifest.items) {
      const maps = await readNpy(join(out, item.npy));
      expect(maps.shape).toEqual([2, 3, 224, 224]);
      expect(item.overlays).toHaveLength(4);
      for (const png of item.overlays) expect(existsSync(join(out, png))).toBe(true);
    }
    expect(manifest.items[1].labels[1]).toBe('<script>alert(1)</script> Cardiomegaly');
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it("a second run into the same folder deletes the first run's files it did not write again", () => {
    const out = join(dir, 'rerun');
    const image = join(root, 'fixtures/images/cxr-b.png');
    expect(envision(['run', experiment('rerun-1.yaml', fast(image, out))]).code).toBe(0);
    const first = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const promptFiles: string[] = [
      ...first.items.filter((i: { target: string }) => i.target === 'prompts').flatMap((i: { npy: string; overlays: string[] }) => [i.npy, ...i.overlays]),
      ...first.figures.filter((f: { target: string }) => f.target === 'prompts').map((f: { png: string }) => f.png),
    ];
    expect(promptFiles.length).toBeGreaterThan(0);
    for (const f of promptFiles) expect(existsSync(join(out, f))).toBe(true);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const dimsOnly = fast(image, out).replace(/  - name: prompts\n    texts: .*\n/, '');
    const r = envision(['run', experiment('rerun-2.yaml', dimsOnly)]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`; removed ${promptFiles.length} files of an earlier run`);
    for (const f of promptFiles) expect(existsSync(join(out, f))).toBe(false);
    const second = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    for (const i of second.items) expect(existsSync(join(out, i.npy))).toBe(true);
    expect(existsSync(join(out, 'notes.txt'))).toBe(true);
  });

  it('fails cleanly on a corrupt image: exit 2, one line, no manifest', () => {
    const bad = join(dir, 'corrupt.png');
    writeFileSync(bad, readFileSync(join(root, 'fixtures/images/cxr-a.png')).subarray(0, 300));
    const out = join(dir, 'run-corrupt');
    const r = envision(['run', experiment('corrupt.yaml', fast(bad, out))]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/corrupt\.png/);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
  });

  it('fails cleanly on a file that is not an image', () => {
    const text = join(dir, 'notes.png');
    writeFileSync(text, 'just some text, not pixels\n');
    const out = join(dir, 'run-text');
    const r = envision(['run', experiment('text.yaml', fast(text, out))]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/notes\.png/);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
  });

  it('fails cleanly on a missing image', () => {
    const r = envision(['run', experiment('missing.yaml', fast(join(dir, 'nope.png'), join(dir, 'run-missing')))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.png/);
  });

  it('fails cleanly when the output folder cannot be written', () => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'a file');
    const r = envision(['run', experiment('unwritable.yaml', fast(join(root, 'fixtures/images/cxr-a.png'), join(blocker, 'out')))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write to output folder .*blocker\/out/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reports config problems without running', () => {
    const file = experiment('badrun.yaml', fast(join(root, 'fixtures/images/cxr-a.png'), join(dir, 'x')).replace('window: [3, 56, 56]', 'window: 3'));
    const r = envision(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/methods\[0\]\.options\.window must be array/);
  });
});

describe("the README's main command (configs/demo.yaml)", () => {
  it('runs the demo on the phantom bundle end to end: maps of both approaches, figures and the HTML report', () => {
    // The demo as it is, reduced to one image and cheaper method options so that it stays a test.
    const out = join(dir, 'demo');
    const r = envision([
      'run', 'configs/demo.yaml',
      '--set', `output.dir=${JSON.stringify(out)}`,
      '--set', 'images=["../fixtures/phantoms/images/phantom-0.png"]',
      '--set', 'methods[2].options.steps=4',
      '--set', 'methods[3].options.samples=2',
    ]);
    expect(r.stderr).toMatch(/^envision run: \d+ map sets, \d+ overlays in .*; report .*report\.html \(\d+(\.\d+)? s\)$/m);
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { config: { model: { bundle: string } } };
    expect(manifest.config.model.bundle).toMatch(/phantom-medclip$/);
    for (const method of ['occlusion', 'guided-backprop', 'ig', 'gradshap']) {
      for (const target of ['baseline', 'proposed', 'captions']) expect(existsSync(join(out, 'phantom-0', method, `${target}.npy`))).toBe(true);
    }
    for (const figure of ['figure-baseline.png', 'figure-proposed.png', 'figure-captions.png']) expect(existsSync(join(out, 'phantom-0', figure))).toBe(true);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('phantom-0');
    expect(html).toContain('pleural effusion');
  });
});

describe('plugins are found by package name from the experiment folder', () => {
  let project: string;
  beforeAll(() => {
    // A user's project inside the repository, so that its plugin can import @envision/core (as a published plugin would
    // through its own dependency).
    project = join(root, 'test', `.tmp-plugin-project-${process.pid}`);
    // meta and maps as a plugin writes them; `form` is the package's default export.
    const write = (name: string, id: string, { meta = 'linearInTarget: true', maps = '[k, ...x.shape.slice(1)]', form = 'inversify' } = {}) => {
      const pkg = join(project, 'node_modules', name);
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name, version: '1.2.3', type: 'module', exports: { '.': { default: './index.js' } } }));
      const exported =
        form === 'inversify'
          ? 'export default new ContainerModule(({ bind }) => { bind(AttributionMethod).toConstantValue(method); });'
          : 'export default definePlugins({ methods: [method] });';
      writeFileSync(
        join(pkg, 'index.js'),
        `import { ContainerModule, AttributionMethod, definePlugins, tensor } from '@envision/core';
const method = {
  meta: { id: '${id}', kind: 'perturbation', description: 'ones', paper: 'none',
    optionsSchema: { type: 'object', properties: { value: { type: 'number' } }, additionalProperties: false },
    defaultOptions: { value: 1 }, ${meta} },
  async attribute({ inputs, wrt, target, options }) {
    const x = inputs[wrt]; const k = target.shape[0]; const shape = ${maps};
    return { maps: tensor('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(options.value)) };
  },
};
${exported}
`,
      );
    };
    // An adapter that loads its vision model forward-only (OnnxModel.load), as a first adapter often does.
    const forward = join(project, 'node_modules', 'envision-adapter-forward');
    mkdirSync(forward, { recursive: true });
    writeFileSync(join(forward, 'package.json'), JSON.stringify({ name: 'envision-adapter-forward', version: '0.0.1', type: 'module', exports: './index.js' }));
    writeFileSync(
      join(forward, 'index.js'),
      `import { join, resolve } from 'node:path';
import { OnnxModel, definePlugins } from '@envision/core';
import { medclipAdapterPlugin } from '@envision/adapter-medclip';
const adapter = {
  meta: { id: 'forward', description: 'MedCLIP with a forward-only vision model', optionsSchema: medclipAdapterPlugin.meta.optionsSchema },
  async load(options, context) {
    const medclip = await medclipAdapterPlugin.load(options, context);
    const model = await OnnxModel.load(join(resolve(context.baseDir, options.bundle), 'vision.onnx'));
    return Object.assign(Object.create(medclip), { id: 'forward', vision: { ...medclip.vision, model } });
  },
};
export default definePlugins({ adapters: [adapter] });
`,
    );
    write('envision-method-ones', 'ones');
    write('envision-method-clash', 'occlusion');
    write('envision-method-plain', 'plain', { meta: 'linear: true', form: 'plain' });
    write('envision-method-misshapen', 'misshapen', { meta: 'linear: true', maps: '[k, 1, 2]', form: 'plain' });
    write('envision-method-badschema', 'badschema', { meta: "linear: true, optionsSchema: { type: 'objekt' }", form: 'plain' });
    write('envision-method-baddefault', 'baddefault', { meta: "linear: true, defaultOptions: { value: 'one' }", form: 'plain' });
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  const withPlugin = (plugin: string, method: string, out: string) =>
    fast(join(root, 'fixtures/images/cxr-a.png'), out)
      .replace('model:', `plugins: [${plugin}]\nmodel:`)
      .replace(/methods:\n  - id: occlusion\n    options: .*\n/, `methods:\n  - id: ${method}\n    options: { value: 2 }\n`);

  it('runs a user plugin exactly like a built-in one; the former inversify form with linearInTarget still works, with a deprecation warning', async () => {
    const file = join(project, 'exp.yaml');
    writeFileSync(file, withPlugin('envision-method-ones', 'ones', join(project, 'out')));
    const r = envision(['run', file, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^envision: warning: envision-method-ones: method 'ones': meta\.linearInTarget is deprecated; rename it to meta\.linear/);
    const manifest = JSON.parse(readFileSync(join(project, 'out', 'manifest.json'), 'utf8'));
    expect(manifest.versions['envision-method-ones']).toBe('1.2.3');
    const maps = await readNpy(join(project, 'out', manifest.items[0].npy));
    expect(maps.data[0]).toBe(2);
  });

  it('runs a plugin package in the plain-object form (definePlugins) with no warning', async () => {
    const file = join(project, 'plain.yaml');
    writeFileSync(file, withPlugin('envision-method-plain', 'plain', join(project, 'out-plain')));
    const r = envision(['run', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(project, 'out-plain', 'manifest.json'), 'utf8'));
    expect(manifest.items[0].strategy).toBe('direct');
    expect((await readNpy(join(project, 'out-plain', manifest.items[0].npy))).data[0]).toBe(2);
  });

  it('stops a method whose maps do not have the shape of the input, writing nothing', () => {
    const file = join(project, 'misshapen.yaml');
    const out = join(project, 'out-misshapen');
    writeFileSync(file, withPlugin('envision-method-misshapen', 'misshapen', out));
    const r = envision(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/method misshapen returned maps of shape \[\d+, 1, 2\] for \d+ target rows and input \[1, 3, 224, 224\]: expected \[\d+, 3, 224, 224\]/);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
  });

  it("reports a plugin's invalid optionsSchema or defaultOptions against the plugin, not the user's YAML", () => {
    const schema = join(project, 'badschema.yaml');
    writeFileSync(schema, withPlugin('envision-method-badschema', 'badschema', join(project, 'out5')));
    const a = envision(['validate', schema]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/plugins\[0\] envision-method-badschema: method 'badschema': meta\.optionsSchema is not a valid JSON Schema \(2020-12\): .*type/);
    expect(a.stderr).not.toMatch(/internal error|\n\s+at /);
    const defaults = join(project, 'baddefault.yaml');
    writeFileSync(defaults, withPlugin('envision-method-baddefault', 'baddefault', join(project, 'out6')));
    const b = envision(['validate', defaults]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/plugins\[0\] envision-method-baddefault: method 'baddefault': meta\.defaultOptions do not fit its optionsSchema: defaultOptions\.value must be number/);
  });

  it('says before a run that an adapter with a forward-only vision model cannot serve gradient methods, and runs perturbation methods with it', () => {
    const gradient = join(project, 'forward.yaml');
    const yaml = fast(join(root, 'fixtures/images/cxr-a.png'), join(project, 'out-forward'))
      .replace('model:', 'plugins: [envision-adapter-forward]\nmodel:')
      .replace('adapter: medclip', 'adapter: forward');
    writeFileSync(gradient, yaml.replace(/methods:\n  - id: occlusion\n    options: .*\n/, 'methods:\n  - id: saliency\n'));
    const a = envision(['validate', gradient]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(
      `${gradient}: adapter 'forward' (envision-adapter-forward): the vision model has no gradients, which saliency need: load it with DifferentiableOnnxModel.load(file) instead of OnnxModel.load\n`,
    );
    const perturbation = join(project, 'forward-occlusion.yaml');
    writeFileSync(perturbation, yaml);
    const b = envision(['run', perturbation, '--json']);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
  });

  it('validates the plugin options with its schema', () => {
    const file = join(project, 'bad.yaml');
    writeFileSync(file, withPlugin('envision-method-ones', 'ones', join(project, 'out2')).replace('value: 2', 'value: high'));
    const r = envision(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/methods\[0\]\.options\.value must be number/);
  });

  it('rejects a plugin whose id clashes with a built-in, naming both packages', () => {
    const file = join(project, 'clash.yaml');
    writeFileSync(file, withPlugin('envision-method-clash', 'occlusion', join(project, 'out3')));
    const r = envision(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/plugins\[0\] method id 'occlusion' is provided by both @envision\/method-occlusion and envision-method-clash/);
  });

  it('names a plugin package that cannot be found, at its line', () => {
    const file = join(project, 'missing.yaml');
    writeFileSync(file, withPlugin('envision-method-nowhere', 'ones', join(project, 'out4')));
    const r = envision(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing\.yaml:1:\d+ plugins\[0\] plugin package 'envision-method-nowhere' not found/);
  });
});
