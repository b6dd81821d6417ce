import { readFile } from 'node:fs/promises';
import { LineCounter, type Node, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { EnvisionError, describeCause } from '@envision/core';
import type { PromptSet } from './sets.js';

/**
 * Parses a prompt file: YAML holding one mapping `classes` of class name → list of prompts, classes and prompts
 * in file order:
 *
 * ```yaml
 * classes:
 *   Atelectasis: [mild linear atelectasis at the mid lung zone, Atelectasis]
 *   Cardiomegaly:
 *     - heart size is borderline enlarged
 * ```
 *
 * Prompts are kept exactly as written (YAML's own quoting rules apply: quote a prompt to keep leading spaces).
 *
 * @param text - the file's content
 * @param source - the file name used in messages
 * @throws EnvisionError `E_CONFIG`, one line listing every problem as `SOURCE:LINE:COL: path problem`
 */
export function parsePromptFile(text: string, source: string): PromptSet {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (node: Node | null | undefined): string => {
    const { line, col } = lineCounter.linePos(node?.range?.[0] ?? 0);
    return `${source}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const { line, col } = lineCounter.linePos(e.pos[0]);
    throw new EnvisionError('E_CONFIG', `${source}:${line}:${col}: ${e.message.split('\n')[0]}`);
  }
  const problems: string[] = [];
  const root = doc.contents;
  // Keyed by the file's class names: no prototype, so a class named __proto__ is a class like any other.
  const out: Record<string, readonly string[]> = Object.create(null) as Record<string, readonly string[]>;
  if (!isMap(root)) {
    problems.push(`${at(root)}: a prompt file must be a mapping with the key classes: { classes: { Name: [prompt, …] } }`);
  } else {
    let classes: unknown;
    for (const pair of root.items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (key === 'classes') classes = pair.value;
      else problems.push(`${at(pair.key as Node)}: unknown key ${JSON.stringify(key)} (allowed: classes)`);
    }
    if (classes === undefined) problems.push(`${at(root)}: the key classes is missing`);
    else if (!isMap(classes) || classes.items.length === 0) {
      problems.push(`${at(classes as Node)}: classes must be a mapping of class name → list of prompts, with at least one class`);
    } else {
      for (const pair of classes.items) {
        const name = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof name !== 'string' || name.trim() === '') {
          problems.push(`${at(pair.key as Node)}: a class name must be a non-empty string, got ${JSON.stringify(name)}`);
          continue;
        }
        const value = pair.value as Node | null;
        if (!isSeq(value) || value.items.length === 0) {
          problems.push(`${at(value ?? (pair.key as Node))}: classes.${name} must be a non-empty list of prompts`);
          continue;
        }
        const prompts: string[] = [];
        value.items.forEach((item, i) => {
          if (isScalar(item) && typeof item.value === 'string') prompts.push(item.value);
          else problems.push(`${at(item as Node)}: classes.${name}[${i}] must be a string (quote it)`);
        });
        out[name] = prompts;
      }
    }
  }
  if (problems.length > 0) throw new EnvisionError('E_CONFIG', problems.join('; '));
  return out;
}

/**
 * Reads a prompt file (see {@link parsePromptFile}).
 * @param file - path of the YAML file
 * @throws EnvisionError `E_FILE` when it cannot be read, `E_CONFIG` when it is malformed
 */
export async function readPromptFile(file: string): Promise<PromptSet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const what = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describeCause(e);
    throw new EnvisionError('E_FILE', `cannot read prompt file ${file}: ${what}`, e);
  }
  return parsePromptFile(text, file);
}
