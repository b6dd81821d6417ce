import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, removeStaleFiles } from '@envision/core';
import { renderBenchFigure } from './figures.js';
import { type BenchFigure, renderBenchReport } from './report.js';
import type { PhantomBenchResult } from './run.js';
import type { BenchContext } from './table.js';

/** File names of the benchmark's outputs inside its folder. */
export const BENCH_FILES = { json: 'bench.json', findings: 'findings.json', report: 'report.html', figures: 'figures' } as const;

/** Paths of the files {@link writeBenchOutputs} wrote. */
export interface BenchOutputs {
  /** `bench.json`: the JSON contract. */
  readonly json: string;
  /** `findings.json`: settings, zero-shot details, the paired differences, per-finding and per-image numbers. */
  readonly findings: string;
  /** `report.html`. */
  readonly report: string;
  /** `figures/seed-<seed>.png`, one per kept example. */
  readonly figures: readonly string[];
}

/**
 * The benchmark's JSON contract as text: exactly `{"zeroShotAccuracy", "n", "methods"}`, one line.
 *
 * @param result - the benchmark's result
 * @returns the JSON text (no trailing newline)
 */
export function benchJsonText(result: PhantomBenchResult): string {
  return JSON.stringify(result.json);
}

/** Deletes the `seed-<n>.png` figures an earlier benchmark left in `figuresDir` that this one did not write; other files stay. */
async function removeEarlierFigures(figuresDir: string, written: ReadonlySet<string>): Promise<void> {
  let names: string[];
  try {
    names = await readdir(figuresDir);
  } catch {
    return; // no figures folder
  }
  await removeStaleFiles(figuresDir, new Set(names.filter((name) => /^seed-\d+\.png$/.test(name))), written);
}

/**
 * Writes the benchmark's outputs into `dir`, each file atomically (temporary file, then rename): a figure per kept
 * example, `findings.json`, `bench.json`, and last `report.html`; then deletes the figures of an earlier benchmark in the
 * same folder that this one did not write again, so the folder holds one benchmark.
 *
 * @param dir - the output folder (created if missing)
 * @param result - the benchmark's result
 * @param context - bundle, recorded accuracy, wall time
 * @returns the paths written
 * @throws EnvisionError `E_FILE` when a file cannot be written; `E_IMAGE` when a figure cannot be rendered
 */
export async function writeBenchOutputs(dir: string, result: PhantomBenchResult, context: BenchContext): Promise<BenchOutputs> {
  const figures: BenchFigure[] = [];
  const figurePaths: string[] = [];
  const figureNames = new Set<string>();
  for (const example of result.examples) {
    const name = `seed-${example.phantom.seed}.png`;
    const png = `${BENCH_FILES.figures}/${name}`;
    figureNames.add(name);
    const path = join(dir, png);
    await writeFileAtomic(path, await renderBenchFigure(example, result.settings.classes));
    const [first, ...rest] = example.phantom.findings.map((f) => f.class);
    const others = rest.length > 0 ? ` (also ${rest.join(', ')})` : '';
    figures.push({ title: `seed ${example.phantom.seed}: maps of ${first ?? 'no finding'}${others}`, png });
    figurePaths.push(path);
  }
  const findingsPath = join(dir, BENCH_FILES.findings);
  const details = { settings: result.settings, zeroShot: result.zeroShot, milliseconds: result.milliseconds, differences: result.differences, findings: result.findings, images: result.images };
  await writeFileAtomic(findingsPath, JSON.stringify(details, null, 1) + '\n');
  const jsonPath = join(dir, BENCH_FILES.json);
  await writeFileAtomic(jsonPath, benchJsonText(result) + '\n');
  const reportPath = join(dir, BENCH_FILES.report);
  await writeFileAtomic(reportPath, renderBenchReport(result, context, figures));
  await removeEarlierFigures(join(dir, BENCH_FILES.figures), figureNames);
  return { json: jsonPath, findings: findingsPath, report: reportPath, figures: figurePaths };
}
