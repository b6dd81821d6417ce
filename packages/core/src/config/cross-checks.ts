import type { ExperimentParts, PluginPart } from './experiment-schema.js';
import { formatPath, type ConfigPath, type PathIssue } from './format.js';
import { unknownIdMessage } from './suggest.js';

/**
 * The checks a JSON Schema cannot make: ids no plugin has (with a "did you mean"), method or target names used
 * twice (a method without `name` is named by its id), and fusion or classifier on a dimensions target. Values of the wrong shape are skipped: the schema reports them.
 * @param data - the experiment as plain data
 * @param parts - the plugins available
 */
export function crossCheckIssues(data: unknown, parts: ExperimentParts): PathIssue[] {
  if (!isObject(data)) return [];
  const issues: PathIssue[] = [];
  const model = data['model'];
  if (isObject(model)) checkId(issues, ['model', 'adapter'], model['adapter'], 'adapter', parts.adapters);
  const methods = objects(data['methods']);
  for (const [i, method] of methods) checkId(issues, ['methods', i, 'id'], method['id'], 'method', parts.methods);
  const targets = objects(data['targets']);
  for (const [i, target] of targets) {
    const fusion = target['fusion'];
    if (isObject(fusion)) checkId(issues, ['targets', i, 'fusion', 'id'], fusion['id'], 'fusion', parts.fusions);
    if (target['dimensions'] !== undefined) {
      if (fusion !== undefined) issues.push({ path: ['targets', i, 'fusion'], message: 'applies to text targets only (texts, classes or promptSet), not to dimensions' });
      if (target['target'] === 'classifier') issues.push({ path: ['targets', i, 'target'], message: "classifier needs texts, classes or promptSet: dimensions are explained in the embedding" });
    }
  }
  checkUnique(issues, 'methods', methods, (m) => ('name' in m ? 'name' : 'id'), 'method name');
  checkUnique(issues, 'targets', targets, () => 'name', 'target name');
  return issues;
}

/** Reports `id` when it is a string no part has. */
function checkId(issues: PathIssue[], path: ConfigPath, id: unknown, kind: string, known: readonly PluginPart[]): void {
  if (typeof id !== 'string' || known.some((p) => p.id === id)) return;
  issues.push({ path, message: unknownIdMessage(kind, id, known.map((p) => p.id)) });
}

/** Reports every item whose name (the string at `field(item)`) an earlier item already has. */
function checkUnique(
  issues: PathIssue[],
  list: string,
  items: readonly (readonly [number, Record<string, unknown>])[],
  field: (item: Record<string, unknown>) => string,
  what: string,
): void {
  const first = new Map<string, number>();
  for (const [i, item] of items) {
    const key = field(item);
    const name = item[key];
    if (typeof name !== 'string') continue;
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, i);
    else {
      const hint = key === 'name' ? '' : '; give each a distinct name';
      issues.push({ path: [list, i, key], message: `duplicate ${what} '${name}' (also ${formatPath([list, earlier])})${hint}` });
    }
  }
}

/** The object items of a list, with their indices. */
function objects(value: unknown): [number, Record<string, unknown>][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, i) => (isObject(item) ? [[i, item] as [number, Record<string, unknown>]] : []));
}

/** True for a plain object. */
function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
