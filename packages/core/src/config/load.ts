import type { ExperimentParts } from './experiment-schema.js';
import type { Experiment } from './experiment.js';
import type { ConfigIssue } from './format.js';
import { applyOverrides } from './overrides.js';
import { validateExperiment } from './validate.js';
import { parseYamlFile } from './yaml-source.js';

/** Options of {@link loadExperiment}. */
export interface LoadExperimentOptions {
  /** `key.path=value` overrides applied before validation, in order. @default [] */
  readonly sets?: readonly string[];
  /** The plugins available (pass the same object each time: its compiled validator is cached). */
  readonly parts: ExperimentParts;
}

/** What {@link loadExperiment} returns. */
export interface LoadExperimentResult {
  /** The validated experiment; present only when there are no issues. */
  readonly config?: Experiment;
  /** Every problem found: malformed overrides first, then the file's, in file order. */
  readonly issues: readonly ConfigIssue[];
}

/**
 * Reads an experiment file, applies `--set` overrides to it, and validates it.
 * A file that cannot be read or parsed stops there; malformed overrides are reported and the others still applied.
 * @param file - the experiment file (issues name it as given)
 * @param options - overrides and plugins
 */
export function loadExperiment(file: string, options: LoadExperimentOptions): LoadExperimentResult {
  const parsed = parseYamlFile(file);
  if (parsed.issues.length > 0) return { issues: parsed.issues };
  const overrides = applyOverrides(parsed.doc, options.sets ?? []);
  const result = validateExperiment(parsed, options.parts, { overrides: overrides.paths });
  const issues = [...overrides.issues, ...result.issues];
  return issues.length > 0 ? { issues } : { config: result.config, issues };
}
