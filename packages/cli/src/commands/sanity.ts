import { EnvisionError, formatIssue, formatNumber, runSanity, SANITY_SIMILARITIES, type SanityResult, type SanityStep } from '@envision/core';
import { relative, resolve } from 'node:path';
import { parseCommand, providerSets } from '../args.js';
import { loadExperimentWithPlugins } from '../experiment.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision sanity`. */
export const sanityHelp = `Usage: envision sanity FILE [--out DIR] [--set key.path=value …] [--ep LIST] [--json]

Model-parameter randomisation checks (Adebayo et al. 2018) for every method of a YAML experiment, on its first image
and first target: the maps of the trained vision model, then with its weights (ONNX initializers) replaced by seeded
random values layer by layer from the output down (cascading: the top k layers; independent: layer k alone), and the
maps of a random target (random text embeddings) on the trained model. Each is compared with the original maps:
Spearman's rank correlation of the absolute maps and SSIM of the absolute maps scaled to [0, 1] (the mean over the
target's rows). The experiment's sanity: section sets the steps, layers, seed, measures and the random-prompt check.
Prints one table per method; writes sanity.json, a figure per method (sanity/METHOD.png) and the report (report.html,
with a Sanity checks section) into the output folder. Progress goes to stderr.
  --out DIR              the folder to write to (default: the experiment's output.dir)
  --set key.path=value   override a field of the file (e.g. --set sanity.layers=3); repeatable
  --ep LIST              onnxruntime execution providers in order, e.g. cuda,cpu: sets model.executionProviders (cpu listed = fall back to it)
  --json                 print one JSON line per step and method, then one for the files, instead of the tables`;

/** The similarity as a table cell. */
function cell(v: number | null | undefined): string {
  return v === null || v === undefined ? 'n/a' : formatNumber(Number(v.toFixed(4)));
}

/** The table of one method: step → similarity. */
export function sanityTable(result: SanityResult, method: SanityResult['methods'][number]): string {
  const measures = SANITY_SIMILARITIES.filter((m) => result.settings.similarity.includes(m));
  const name = new Map(result.model.layers.map((l) => [l.rank, l.name]));
  const reached = (s: SanityStep) => (s.layers.length === 0 ? 'target: random text embeddings' : s.kind === 'cascading' ? `layers 1-${s.layers.length} (down to ${name.get(s.layers.length)})` : `layer ${s.layers[0]} (${name.get(s.layers[0]!)})`);
  const rows = [['step', 'randomised', ...measures], ...method.steps.map((s) => [s.label, reached(s), ...measures.map((m) => cell(s.similarity[m]))])];
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  const line = (r: string[]) => r.map((c, j) => (j >= 2 ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))).join('  ').trimEnd();
  return [`${method.method} (${method.id}, ${method.strategy}; image ${result.image}, target ${result.target}, ${result.labels.length} rows)`, ...rows.map(line)].join('\n');
}

/** `envision sanity FILE`. */
export async function sanityCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommand(
    'sanity',
    argv,
    { out: { type: 'string' }, set: { type: 'string', multiple: true }, ep: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    true,
  );
  if (values.help) {
    io.stdout(sanityHelp + '\n');
    return 0;
  }
  if (positionals.length !== 1) throw new EnvisionError('E_USAGE', `give exactly one experiment file, got ${positionals.length} (see envision sanity --help)`);
  const { experiment, registry, issues } = await loadExperimentWithPlugins(positionals[0]!, [...(values.set ?? []), ...providerSets(values.ep)]);
  if (experiment === undefined || registry === undefined) {
    for (const issue of issues) io.stderr(formatIssue(issue) + '\n');
    return 2;
  }
  const json = values.json === true;
  const out = values.out === undefined ? experiment.output.dir : resolve(values.out);
  const { result, jsonPath, figures, reportPath } = await runSanity(experiment, registry, out, {
    onProgress(message) {
      io.stderr(`envision sanity: ${message}\n`);
    },
    onWarning(message) {
      io.stderr(`envision sanity: warning: ${message}\n`);
    },
    onStep(method, step) {
      if (json) io.stdout(JSON.stringify({ event: 'step', method, step: step.label, kind: step.kind, layers: step.layers, similarity: step.similarity }) + '\n');
    },
  });
  const rel = (p: string) => relative(process.cwd(), resolve(out, p)) || '.';
  if (json) {
    io.stdout(JSON.stringify({ event: 'done', sanity: rel(jsonPath), figures: figures.map(rel), report: rel(reportPath), ms: Math.round(result.timings.totalMs) }) + '\n');
  } else {
    io.stdout(result.methods.map((m) => sanityTable(result, m)).join('\n\n') + '\n');
    io.stderr(`envision sanity: wrote ${rel(jsonPath)}, ${figures.length} figure(s) and ${rel(reportPath)} (${(result.timings.totalMs / 1000).toFixed(1)} s)\n`);
  }
  return 0;
}
