import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExperimentParts } from './experiment-schema.js';
import { formatIssue } from './format.js';
import { loadExperiment } from './load.js';

const parts: ExperimentParts = {
  methods: [
    {
      id: 'occlusion',
      optionsSchema: {
        type: 'object',
        properties: { window: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 3, maxItems: 3 } },
        required: ['window'],
        additionalProperties: false,
      },
      defaultOptions: {},
    },
    {
      id: 'saliency',
      optionsSchema: { type: 'object', properties: { abs: { type: 'boolean' } }, additionalProperties: false },
      defaultOptions: { abs: true },
    },
  ],
  adapters: [
    {
      id: 'medclip',
      optionsSchema: { type: 'object', properties: { bundle: { type: 'string' } }, required: ['bundle'], additionalProperties: false },
    },
  ],
  fusions: [
    { id: 'dot', optionsSchema: { type: 'object', additionalProperties: false }, defaultOptions: {} },
    {
      id: 'softmax',
      optionsSchema: { type: 'object', properties: { temperature: { type: 'number', exclusiveMinimum: 0 } }, additionalProperties: false },
      defaultOptions: { temperature: 1 },
    },
  ],
};

const valid = `plugins: [envision-method-foo]
model:
  adapter: medclip
  bundle: ../fixtures/tiny-dual
images: [../fixtures/images/cxr-a.png]
methods:
  - id: occlusion
    name: occ-16
    options: { window: [3, 16, 16] }
  - id: saliency
targets:
  - name: dims
    dimensions: [0, 1, 2]
  - name: prompts
    texts: ["mild atelectasis", "no finding"]
`;

/** Writes `text` as `exp.yaml` in a fresh temporary folder and returns its path. */
function write(text: string, name = 'exp.yaml'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'envision-config-')), name);
  writeFileSync(file, text);
  return file;
}

/** `line:col` (1-based) of the first occurrence of `needle` in `text` at or after line `fromLine`. */
function where(text: string, needle: string, fromLine = 1): string {
  const lines = text.split('\n');
  for (let i = fromLine - 1; i < lines.length; i++) {
    const col = lines[i]!.indexOf(needle);
    if (col >= 0) return `${i + 1}:${col + 1}`;
  }
  throw new Error(`'${needle}' not in text`);
}

/** Line (1-based) of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  return Number(where(text, needle).split(':')[0]);
}

/** Loads `text` from a temporary file; returns the formatted issues and the file. */
function load(text: string, sets: string[] = []) {
  const file = write(text);
  const result = loadExperiment(file, { parts, sets });
  return { file, result, lines: result.issues.map(formatIssue) };
}

describe('loadExperiment', () => {
  it('loads a valid file with every default applied and paths resolved', () => {
    const file = write(valid);
    const dir = join(file, '..');
    const { config, issues } = loadExperiment(file, { parts });
    expect(issues).toEqual([]);
    expect(config).toEqual({
      configFile: file,
      baseDir: dir,
      plugins: ['envision-method-foo'],
      model: { adapter: 'medclip', bundle: '../fixtures/tiny-dual' },
      images: [join(dir, '../fixtures/images/cxr-a.png')],
      methods: [
        { id: 'occlusion', name: 'occ-16', options: { window: [3, 16, 16] } },
        { id: 'saliency', name: 'saliency', options: { abs: true } },
      ],
      targets: [
        { name: 'dims', dimensions: [0, 1, 2] },
        { name: 'prompts', target: 'embedding', texts: ['mild atelectasis', 'no finding'], fusion: { id: 'dot', options: {} }, explain: 'image' },
      ],
      strategy: 'auto',
      output: { dir: join(dir, 'runs/exp'), signs: ['all'], outlierPerc: 2, alpha: 0.5 },
      seed: 0,
      sanity: { steps: 'both', layers: 'all', seed: 42, similarity: ['spearman', 'ssim'], randomPrompt: true },
    });
  });

  it('keeps given values and merges given options over the defaults', () => {
    const text = valid
      .replace('  - id: saliency\n', '  - id: saliency\n    options: { abs: false }\n')
      .replace('texts: ["mild atelectasis", "no finding"]', 'texts: [a]\n    fusion: { id: softmax }')
      .concat('strategy: jacobian\noutput: { dir: out, signs: [positive, negative], outlierPerc: 1, alpha: 1 }\nseed: 3\n')
      .concat('sanity: { steps: cascading, layers: 4, similarity: [ssim] }\n');
    const { file, result } = load(text);
    expect(result.issues).toEqual([]);
    expect(result.config).toMatchObject({
      methods: [{ name: 'occ-16' }, { options: { abs: false } }],
      targets: [{ name: 'dims' }, { texts: ['a'], fusion: { id: 'softmax', options: { temperature: 1 } } }],
      strategy: 'jacobian',
      output: { dir: join(file, '../out'), signs: ['positive', 'negative'], outlierPerc: 1, alpha: 1 },
      seed: 3,
      sanity: { steps: 'cascading', layers: 4, seed: 42, similarity: ['ssim'], randomPrompt: true },
    });
  });

  it('points a wrong option of method 1 at its value', () => {
    const text = valid.replace('  - id: saliency\n', '  - id: occlusion\n    name: occ-8\n    options:\n      window: [3, 8]\n');
    const { file, lines } = load(text);
    expect(lines).toEqual([`${file}:${where(text, '[3, 8]')} methods[1].options.window must NOT have fewer than 3 items`]);
    expect(where(text, '[3, 8]')).toBe(`${lineOf(text, 'window: [3, 8]')}:15`);
  });

  it('names files as the caller gave them', () => {
    const file = write(valid.replace('seed', 'x').concat('sed: 0\n'));
    const given = relative(process.cwd(), file);
    const { issues } = loadExperiment(given, { parts });
    expect(issues.map(formatIssue)).toEqual([`${given}:${lineOf(valid, 'prompts') + 2}:1 sed is not allowed`]);
  });

  it('reports a YAML syntax error at its line and column', () => {
    const text = valid.replace('  bundle: ../fixtures/tiny-dual', '  bundle: a: b');
    const { file, lines, result } = load(text);
    expect(result.config).toBeUndefined();
    expect(lines).toEqual([`${file}:${where(text, 'a: b')} (yaml) Nested mappings are not allowed in compact mappings`]);
  });

  it('reports a missing file', () => {
    const result = loadExperiment('does/not/exist.yaml', { parts });
    expect(result.issues.map(formatIssue)).toEqual(['does/not/exist.yaml:1:1 (root) cannot read the experiment file: no such file']);
    expect(result.issues[0]!.code).toBe('E_FILE');
  });

  it('suggests the closest id for an unknown method, adapter or fusion', () => {
    const text = valid
      .replace('id: occlusion', 'id: oclusion')
      .replace('adapter: medclip', 'adapter: medclips')
      .replace('texts: ["mild atelectasis", "no finding"]', 'texts: [a]\n    fusion: { id: softmx }');
    const { file, lines } = load(text);
    expect(lines).toEqual([
      `${file}:${where(text, 'medclips')} model.adapter unknown adapter 'medclips'; did you mean 'medclip'? (valid: medclip)`,
      `${file}:${where(text, 'oclusion')} methods[0].id unknown method 'oclusion'; did you mean 'occlusion'? (valid: occlusion, saliency)`,
      `${file}:${where(text, 'softmx')} targets[1].fusion.id unknown fusion 'softmx'; did you mean 'softmax'? (valid: dot, softmax)`,
    ]);
  });

  it('rejects unknown keys at the top level and inside methods, pointing at the key', () => {
    const text = valid.replace('    name: occ-16', '    name: occ-16\n    optionz: {}').concat('seeds: 1\n');
    const { file, lines } = load(text);
    expect(lines).toEqual([
      `${file}:${where(text, 'optionz')} methods[0].optionz is not allowed`,
      `${file}:${where(text, 'seeds')} seeds is not allowed`,
    ]);
  });

  it('validates the adapter options (the fields of model other than adapter)', () => {
    const text = valid.replace('bundle: ../fixtures/tiny-dual', 'bundel: ../fixtures/tiny-dual');
    const { file, lines } = load(text);
    expect(lines).toEqual([
      `${file}:${where(text, 'adapter')} model must have required property 'bundle'`,
      `${file}:${where(text, 'bundel')} model.bundel is not allowed`,
    ]);
  });

  it('reports missing required fields at the object that lacks them', () => {
    const text = valid.replace('images: [../fixtures/images/cxr-a.png]\n', '').replace('  - id: saliency', '  - name: sal');
    const { file, lines } = load(text);
    expect(lines).toEqual([
      `${file}:1:1 (root) must have required property 'images'`,
      `${file}:${where(text, 'name: sal')} methods[1] must have required property 'id'`,
    ]);
  });

  it('lists the allowed values of an enum and checks ranges', () => {
    const text = valid.concat('strategy: fast\noutput: { alpha: 2, signs: [] }\n');
    const { file, lines } = load(text);
    expect(lines).toEqual([
      `${file}:${where(text, 'fast')} strategy must be equal to one of the allowed values: "auto", "direct", "jacobian"`,
      `${file}:${where(text, '2,')} output.alpha must be <= 1`,
      `${file}:${where(text, '[]')} output.signs must NOT have fewer than 1 items`,
    ]);
  });

  it('reports duplicate target names and duplicate method names', () => {
    const text = valid.replace('name: prompts', 'name: dims').replace('name: occ-16', 'name: saliency');
    const { file, lines } = load(text);
    expect(lines).toEqual([
      `${file}:${where(text, 'saliency', lineOf(text, '- id: saliency'))} methods[1].id duplicate method name 'saliency' (also methods[0]); give each a distinct name`,
      `${file}:${where(text, 'dims', lineOf(text, 'dimensions'))} targets[1].name duplicate target name 'dims' (also targets[0])`,
    ]);
  });

  it('requires exactly one of dimensions and texts', () => {
    const both = valid.replace('    dimensions: [0, 1, 2]', '    dimensions: [0, 1, 2]\n    texts: [a]');
    const neither = valid.replace('    dimensions: [0, 1, 2]\n', '');
    const a = load(both);
    const b = load(neither);
    expect(a.lines).toEqual([`${a.file}:${where(both, 'name: dims')} targets[0] must have exactly one of 'dimensions', 'texts', 'classes' or 'promptSet'`]);
    expect(b.lines).toEqual([`${b.file}:${where(neither, 'name: dims')} targets[0] must have exactly one of 'dimensions', 'texts', 'classes' or 'promptSet'`]);
  });

  it('checks that dimensions are integers ≥ 0 and that fusion goes with texts', () => {
    const text = valid.replace('dimensions: [0, 1, 2]', 'dimensions: [0, -1, 2.5]\n    fusion: { id: dot }');
    const { file, lines } = load(text);
    expect(lines).toEqual([
      `${file}:${where(text, '-1', lineOf(text, 'dimensions'))} targets[0].dimensions[1] must be >= 0`,
      `${file}:${where(text, '2.5')} targets[0].dimensions[2] must be integer`,
      `${file}:${where(text, '{ id: dot }')} targets[0].fusion applies to text targets only (texts, classes or promptSet), not to dimensions`,
    ]);
  });

  it('reports an empty file as one issue', () => {
    const { file, lines } = load('');
    expect(lines).toEqual([`${file}:1:1 (root) must be object`]);
  });
});

describe('loadExperiment with --set', () => {
  it('validates an override that makes a valid value invalid, pointing at the nearest place in the file', () => {
    const { file, lines, result } = load(valid, ['methods[0].options.window=[3,8]', 'methods.1.options.abss=true']);
    expect(result.config).toBeUndefined();
    expect(lines).toEqual([
      `${file}:${where(valid, 'window')} methods[0].options.window must NOT have fewer than 3 items (from --set)`,
      `${file}:${where(valid, 'id: saliency')} methods[1].options.abss is not allowed (from --set)`,
    ]);
  });

  it('accepts an override that makes an invalid file valid', () => {
    const text = valid.replace('[3, 16, 16]', '[3, 16]');
    expect(load(text).lines).toHaveLength(1);
    const { result } = load(text, ['methods[0].options.window=[3,8,8]', 'seed=4', 'output.dir=elsewhere']);
    expect(result.issues).toEqual([]);
    expect(result.config?.methods[0]?.options).toEqual({ window: [3, 8, 8] });
    expect(result.config?.seed).toBe(4);
  });

  it('reports a malformed override with file --set, and still validates the rest', () => {
    const { file, lines } = load(valid, ['seed', 'seed="x"']);
    expect(lines).toEqual([
      "--set:1:1 (root) expected key.path=value, got 'seed'",
      `${file}:1:1 seed must be integer (from --set)`,
    ]);
  });
});
