import { EnvisionError } from '@envision/onnx-grad';

/** A path into the experiment data: map keys and list indices, e.g. `['methods', 1, 'options']`. */
export type ConfigPath = readonly (string | number)[];

/** A problem located by its data path, before it is given a file position. */
export interface PathIssue {
  /** Where the offending value is in the data. */
  readonly path: ConfigPath;
  /** What is wrong with it. */
  readonly message: string;
  /** Point at the last segment's key rather than its value (for keys that are not allowed). */
  readonly atKey?: boolean;
}

/** One problem found in an experiment file or in a `--set` override, with where it is. */
export interface ConfigIssue {
  /** The file as the user named it (relative if given relative), or `--set` for a malformed override. */
  readonly file: string;
  /** 1-based line (for `--set`, the 1-based position of the override among all overrides). */
  readonly line: number;
  /** 1-based column. */
  readonly col: number;
  /** JavaScript-style path of the offending value, e.g. `methods[1].options.window`; `(root)` for the whole file. */
  readonly path: string;
  /** What is wrong, e.g. `must NOT have fewer than 3 items`. */
  readonly message: string;
  /** `E_FILE` when the file itself cannot be read; otherwise `E_CONFIG` (the default when absent). */
  readonly code?: 'E_CONFIG' | 'E_FILE';
}

/**
 * Formats an issue as one line, `FILE:LINE:COL path message`, the form editors and terminals link to.
 * @param issue - the issue to format
 */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.col} ${issue.path} ${issue.message}`;
}

/**
 * Spells a data path JavaScript-style: `methods[1].options.window`; keys that are not plain words are quoted
 * (`model["a b"]`); the empty path is `(root)`.
 * @param path - map keys and list indices from the root
 */
export function formatPath(path: ConfigPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text === '' ? '(root)' : text;
}

/**
 * Formats issues one per line, in the order given.
 * @param issues - the issues to format
 */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map(formatIssue).join('\n');
}

/**
 * Wraps issues into the {@link EnvisionError} a command throws: code `E_FILE` when a file could not be read,
 * otherwise `E_CONFIG`; the message holds one formatted line per issue.
 * @param issues - the issues found (at least one)
 */
export function configError(issues: readonly ConfigIssue[]): EnvisionError {
  const code = issues.some((i) => i.code === 'E_FILE') ? 'E_FILE' : 'E_CONFIG';
  return new EnvisionError(code, formatIssues(issues));
}
