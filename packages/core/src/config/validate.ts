import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { crossCheckIssues } from './cross-checks.js';
import { buildExperiment, type Experiment } from './experiment.js';
import { experimentSchema, type ExperimentParts } from './experiment-schema.js';
import { formatPath, type ConfigIssue, type ConfigPath, type PathIssue } from './format.js';
import { schemaIssues } from './schema-issues.js';
import { locate, type YamlSource } from './yaml-source.js';
import { withPluginDefaults } from './plugin-defaults.js';

/** What {@link validateExperiment} found. */
export interface ValidationResult {
  /** The experiment with defaults applied; present only when there are no issues. */
  readonly config?: Experiment;
  /** Every problem found, in file order. */
  readonly issues: readonly ConfigIssue[];
}

/** Options of {@link validateExperiment}. */
export interface ValidateOptions {
  /** Paths set by `--set` (the `paths` that `applyOverrides` returns): issues at or under them end with ` (from --set)`. */
  readonly overrides?: readonly ConfigPath[];
}

/** Compiled validators, one per parts object. */
const validators = new WeakMap<ExperimentParts, ValidateFunction>();

/**
 * Validates a parsed experiment (its document as it is now, overrides included) against the core schema composed
 * with the plugins' option schemas, checks ids and name uniqueness, and builds the {@link Experiment}.
 * Plugin options are validated after their defaults are merged in, as `resolveOptions` does at run time.
 * Each issue is placed at the line and column of the value (or key) it is about.
 * @param parsed - the parsed file; when it has issues of its own, those are returned unvalidated
 * @param parts - the plugins available (pass the same object each time: its compiled validator is cached)
 * @param options - paths that came from `--set`
 */
export function validateExperiment(parsed: YamlSource, parts: ExperimentParts, options: ValidateOptions = {}): ValidationResult {
  if (parsed.issues.length > 0) return { issues: parsed.issues };
  const data = withPluginDefaults(parsed.doc.toJS(), parts);
  const validate = validatorFor(parts);
  const found: PathIssue[] = validate(data) ? [] : schemaIssues(validate.errors ?? [], data);
  found.push(...crossCheckIssues(data, parts));
  const issues = place(parsed, found, options.overrides ?? []);
  if (issues.length > 0) return { issues };
  return { config: buildExperiment(data, parsed.path, parsed.dir), issues };
}

/** The compiled validator for these parts, compiled on first use. */
function validatorFor(parts: ExperimentParts): ValidateFunction {
  let validate = validators.get(parts);
  if (validate === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
    validate = ajv.compile(experimentSchema(parts));
    validators.set(parts, validate);
  }
  return validate;
}

/** Gives each issue its file position, marks those from `--set`, drops repeats and sorts them in file order. */
function place(parsed: YamlSource, found: readonly PathIssue[], overrides: readonly ConfigPath[]): ConfigIssue[] {
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const issue of found) {
    const path = formatPath(issue.path);
    const fromSet = overrides.some((o) => startsWith(issue.path, o));
    const message = fromSet ? `${issue.message} (from --set)` : issue.message;
    if (seen.has(`${path}\0${message}`)) continue;
    seen.add(`${path}\0${message}`);
    const at = locate(parsed.doc, parsed.lineCounter, issue.path, { key: issue.atKey === true });
    issues.push({ file: parsed.file, line: at.line, col: at.col, path, message });
  }
  return issues.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** True when `path` is `prefix` or lies under it. */
function startsWith(path: ConfigPath, prefix: ConfigPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => String(segment) === String(path[i]));
}
