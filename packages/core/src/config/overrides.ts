import { isAlias, isCollection, isMap, isScalar, isSeq, type Document } from 'yaml';
import { formatPath, type ConfigIssue, type ConfigPath } from './format.js';

/** File name carried by issues about a malformed `--set`. */
export const SET_FILE = '--set';

/** One `--set key.path=value`, parsed. */
export interface Override {
  /** Keys and list indices from the root, e.g. `['methods', 0, 'options', 'window']`. */
  readonly path: ConfigPath;
  /** The value: the JSON the text spells when it parses as JSON, else the text itself. */
  readonly value: unknown;
}

/** What {@link applyOverrides} did. */
export interface OverrideResult {
  /** One issue (file `--set`, line = 1-based position of the override) per override that could not be applied. */
  readonly issues: readonly ConfigIssue[];
  /** The paths that were set, in order; validation marks issues at or under them `(from --set)`. */
  readonly paths: readonly ConfigPath[];
}

/**
 * Parses `key.path=value`. Path segments are split on `.`; a segment of digits, or `[n]` after a key, is a list
 * index (`methods[0].options.window`, `methods.0.options.steps`). The value is parsed as JSON when it parses
 * (`[3,8,8]`, `20`, `true`, `"text"`), else taken as a string.
 * @param text - the override as typed
 * @returns the override, or a one-line reason it is malformed
 */
export function parseOverride(text: string): Override | string {
  const eq = text.indexOf('=');
  if (eq < 0) return `expected key.path=value, got '${text}'`;
  const key = text.slice(0, eq).trim();
  if (key === '') return `empty key path in '${text}'`;
  const path: (string | number)[] = [];
  for (const segment of key.split('.')) {
    const match = /^([^[\]]+)((?:\[\d+\])*)$/.exec(segment);
    if (match === null) return `malformed key path '${key}': expected keys separated by '.', with optional [index]`;
    const name = match[1]!;
    path.push(/^\d+$/.test(name) ? Number(name) : name);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) path.push(Number(index[1]));
  }
  return { path, value: parseValue(text.slice(eq + 1)) };
}

/**
 * Applies `--set` overrides to a parsed YAML document (before validation, so overridden values are validated like
 * the rest). Malformed overrides, and overrides that cannot be applied (through a scalar, or past the end of a list),
 * become issues; the others are applied in order.
 * @param doc - the document to change in place
 * @param sets - the overrides as typed, `key.path=value` each
 */
export function applyOverrides(doc: Document, sets: readonly string[]): OverrideResult {
  const issues: ConfigIssue[] = [];
  const paths: ConfigPath[] = [];
  sets.forEach((text, index) => {
    const parsed = parseOverride(text);
    // Plugins are code that runs: they are named in the experiment file only, never on the command line.
    const failure =
      typeof parsed === 'string'
        ? parsed
        : parsed.path[0] === 'plugins'
          ? 'plugins cannot be set on the command line: name them in the experiment file (a plugin is code that runs)'
          : setValue(doc, parsed.path, parsed.value);
    if (failure === undefined && typeof parsed !== 'string') paths.push(parsed.path);
    else {
      const path = typeof parsed === 'string' ? '(root)' : formatPath(parsed.path);
      issues.push({ file: SET_FILE, line: index + 1, col: 1, path, message: failure ?? '' });
    }
  });
  return { issues, paths };
}

/** The value of `key=value`: JSON when it parses, else the text. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Why an override cannot be applied; thrown inside this module only. */
class SetFailure extends Error {}

/** Sets `path` to `value`, creating maps and lists on the way; returns why it cannot, if it cannot. */
function setValue(doc: Document, path: ConfigPath, value: unknown): string | undefined {
  try {
    let node: unknown = doc.contents;
    if (isEmpty(node)) {
      doc.contents = doc.createNode(nest(path, value));
      return undefined;
    }
    for (let i = 0; ; i++) {
      if (isAlias(node)) node = node.resolve(doc);
      if (!isCollection(node)) throw new SetFailure(`cannot set: ${formatPath(path.slice(0, i))} is not a map or a list`);
      const key = keyFor(node, path[i]!, path.slice(0, i));
      const child: unknown = node.get(key, true);
      if (i === path.length - 1 || isEmpty(child)) {
        node.set(key, doc.createNode(nest(path.slice(i + 1), value, path.slice(0, i + 1))));
        return undefined;
      }
      node = child;
    }
  } catch (e) {
    if (e instanceof SetFailure) return e.message;
    throw e;
  }
}

/** The key to use in a map or list for a path segment (`at` is the path of that map or list). */
function keyFor(node: unknown, segment: string | number, at: ConfigPath): unknown {
  if (isSeq(node)) {
    if (typeof segment !== 'number') throw new SetFailure(`cannot set: ${formatPath(at)} is a list; '${segment}' is not an index`);
    if (segment > node.items.length) {
      throw new SetFailure(`cannot set: index ${segment} is past the end of ${formatPath(at)} (length ${node.items.length})`);
    }
    return segment;
  }
  if (isMap(node)) {
    const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
    return pair === undefined ? String(segment) : pair.key;
  }
  return String(segment);
}

/**
 * Plain data holding `value` at `path`: maps for keys, a one-item list for index 0 (a new list can only start there).
 * @param at - the path the result will be placed at, for messages
 */
function nest(path: ConfigPath, value: unknown, at: ConfigPath = []): unknown {
  let v = value;
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i]!;
    if (typeof segment === 'number') {
      if (segment !== 0) {
        throw new SetFailure(`cannot set: index ${segment} is past the end of ${formatPath([...at, ...path.slice(0, i)])} (length 0)`);
      }
      v = [v];
    } else {
      v = { [segment]: v };
    }
  }
  return v;
}

/** True for an absent value or an empty YAML value (`key:` with nothing after it). */
function isEmpty(node: unknown): boolean {
  return node === undefined || node === null || (isScalar(node) && node.value === null);
}
