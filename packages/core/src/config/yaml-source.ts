import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Document, LineCounter, isAlias, isCollection, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import { describeCause } from '@envision/onnx-grad';
import type { ConfigIssue, ConfigPath } from './format.js';

/** A 1-based line and column in a file. */
export interface Position {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly col: number;
}

/** An experiment file read and parsed, ready for overrides and validation. */
export interface YamlSource {
  /** The file as the caller named it; issues carry this name. */
  readonly file: string;
  /** Absolute path of the file. */
  readonly path: string;
  /** Absolute folder of the file: relative paths in the experiment are resolved against it. */
  readonly dir: string;
  /** The parsed YAML document (empty when the file could not be read). */
  readonly doc: Document;
  /** Maps offsets in the file to lines and columns. */
  readonly lineCounter: LineCounter;
  /** The document as plain data, as parsed (before any override); `undefined` when it could not be built. */
  readonly data: unknown;
  /** Read and syntax errors; when not empty, the document should not be validated. */
  readonly issues: readonly ConfigIssue[];
}

/** Path shown for YAML syntax errors, which belong to no value. */
export const SYNTAX_PATH = '(yaml)';

/**
 * Reads and parses a YAML file. A missing or unreadable file gives one issue at `FILE:1:1`;
 * every YAML syntax error gives an issue at its line and column.
 * @param file - path of the file, absolute or relative to the working directory
 */
export function parseYamlFile(file: string): YamlSource {
  const path = resolve(file);
  const dir = dirname(path);
  const lineCounter = new LineCounter();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const message = `cannot read the experiment file: ${readFailure(e)}`;
    const issue: ConfigIssue = { file, line: 1, col: 1, path: '(root)', message, code: 'E_FILE' };
    return { file, path, dir, doc: new Document(null), lineCounter, data: undefined, issues: [issue] };
  }
  // (logLevel 'error': the yaml library's warnings would go to stderr as Node process warnings; problems are issues.)
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, logLevel: 'error' });
  const issues: ConfigIssue[] = doc.errors.map((error) => ({
    file,
    ...offsetPosition(lineCounter, error.pos[0]),
    path: SYNTAX_PATH,
    message: error.message.split('\n')[0]!,
  }));
  // A list or map used as a mapping key (a tab-indented `- item`, a stray `{`) has no meaning in an experiment.
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        const at = pair.key.range?.[0] ?? 0;
        issues.push({ file, ...offsetPosition(lineCounter, at), path: SYNTAX_PATH, message: 'a mapping key must be a plain value, not a list or a map (check the indentation: tabs are not indentation in YAML)' });
      }
    },
  });
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (e) {
    if (issues.length === 0) issues.push({ file, line: 1, col: 1, path: SYNTAX_PATH, message: describeCause(e) });
  }
  return { file, path, dir, doc, lineCounter, data, issues };
}

/**
 * The position of the value at `path` in the document. When that value is not in the file (absent, or set
 * programmatically, e.g. by `--set`), falls back to the nearest ancestor that is (its key, then its value),
 * and finally to 1:1.
 * @param doc - the parsed document
 * @param lineCounter - the line counter the document was parsed with
 * @param path - keys and indices from the root
 * @param options - `key: true` points at the last segment's key instead of its value (for "is not allowed")
 */
export function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: ConfigPath,
  options: { readonly key?: boolean } = {},
): Position {
  let node: unknown = doc.contents;
  let best = nodePosition(lineCounter, node) ?? { line: 1, col: 1 };
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const segment = path[i]!;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(segment));
      if (pair === undefined) break;
      best = nodePosition(lineCounter, pair.key) ?? best;
      if (options.key === true && i === path.length - 1) return best;
      node = pair.value;
    } else if (isSeq(node)) {
      const index = Number(segment);
      if (!Number.isInteger(index) || index < 0 || index >= node.items.length) break;
      node = node.items[index];
    } else {
      break;
    }
    best = nodePosition(lineCounter, node) ?? best;
  }
  return best;
}

/** The text of a map key as plain data would spell it. */
function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

/** Where a parsed node starts; `undefined` for nodes not read from the file. */
function nodePosition(lineCounter: LineCounter, node: unknown): Position | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range == null || range[0] === undefined ? undefined : offsetPosition(lineCounter, range[0]);
}

/** The 1-based line and column of a character offset. */
function offsetPosition(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return line === 0 ? { line: 1, col: offset + 1 } : { line, col };
}

/** A short reason a file could not be read. */
function readFailure(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return describeCause(e);
}
