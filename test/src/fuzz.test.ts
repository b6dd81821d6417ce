// Seeded fuzzing of the CLI's input files: each case mutates a VALID file (bit flips, truncation, inserted bytes,
// header-field and value edits) and holds the CLI to its promise: exit 0 with a valid output file, or exit 2 with
// one line on stderr (no stack trace, no "internal error") and nothing written to the output folder (no partial or
// temporary files). Exit 1, a crash, a hang, several lines or a partial output fail the case.
//
// Cases run in this process through `main(argv, io)` (no node start-up per case); every exit-2 case is then re-run
// in one spawned node process on the built binary, where what onnxruntime prints natively to stderr counts too.
// Same seeds, same cases: a failure names the kind, the case index and seed, and the mutation; the mutated file is
// made again by `kind.prepare(new Rng(caseSeed(kind.seed, index)), index, dir)` (test/src/fuzz/kinds.ts).
import { describe, expect, it } from 'vitest';
import { useTempDir } from './cli.js';
import { bundleKind, npyKind, onnxKind, pngKind, runKind, yamlKind, type Kind } from './fuzz/kinds.js';
// Every `// KNOWN:` exclusion (a mutation class or a stderr pattern that breaks the promise today) is in fuzz/known.ts.
import { known, knownStderr } from './fuzz/known.js';

const temp = useTempDir('envision-fuzz-');

/** Cases per kind (about 450 in all, well under a minute in this process). */
const CASES: [string, number, Kind][] = [
  ['png → preprocess', 120, pngKind],
  ['npy → attribute', 100, npyKind],
  ['onnx → attribute', 100, onnxKind],
  ['yaml → run', 50, yamlKind],
  ['envision.json → preprocess / embed', 90, bundleKind],
];

describe('fuzzed input files: exit 0 with a valid output, or exit 2 in one line with nothing written', () => {
  it.each(CASES)('%s (%i cases)', async (_, n, kind) => {
    const { results, skipped } = await runKind({ ...kind, known: known[kind.name], knownStderr }, n, temp());
    const failures = results.filter((r) => r.verdict.outcome === 'fail');
    const first = failures[0];
    const message =
      first === undefined
        ? ''
        : `${failures.length} of ${results.length} ${kind.name} cases break the promise; first: case ${first.index} (seed ${first.seed}, ${first.desc}): ${first.verdict.problem}\n` +
          `  envision ${first.args.join(' ')}\n  stderr: ${first.stderr.split('\n').slice(0, 4).join('\n          ')}\n` +
          `  others: ${failures.slice(1, 8).map((f) => `#${f.index} ${f.desc}`).join('; ')}`;
    expect(failures.length, message).toBe(0);
    // not vacuous: the control (case 0, unmutated) and some mutants succeed, and most mutants are refused
    expect(results[0]!.desc.endsWith('unmutated')).toBe(true);
    expect(results[0]!.verdict.outcome, `${kind.name} case 0 (unmutated) must exit 0: ${results[0]!.stderr}`).toBe(0);
    const ok = results.filter((r) => r.verdict.outcome === 0).length;
    const refused = results.filter((r) => r.verdict.outcome === 2).length;
    expect(ok, `${kind.name}: mutants that still exit 0`).toBeGreaterThanOrEqual(3);
    expect(refused, `${kind.name}: mutants refused with exit 2`).toBeGreaterThanOrEqual(n / 4);
    expect(skipped.length, `${kind.name}: KNOWN exclusions`).toBeLessThan(n / 10);
  });
});
