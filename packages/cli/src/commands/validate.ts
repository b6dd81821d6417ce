import { EnvisionError, formatIssue } from '@envision/core';
import { parseCommand } from '../args.js';
import { loadExperimentWithPlugins } from '../experiment.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision validate`. */
export const validateHelp = `Usage: envision validate FILE… [--set key.path=value …]

Validates experiment files against the core schema and the options schemas of the plugins they use.
Every problem is printed as FILE:LINE:COL path message; the exit code is 2 if there is any.`;

/** `envision validate FILE…`. */
export async function validateCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommand('validate', argv, { set: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } }, true);
  if (values.help) {
    io.stdout(validateHelp + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new EnvisionError('E_USAGE', 'give one or more experiment files (see envision validate --help)');
  let failed = false;
  for (const file of positionals) {
    const { issues } = await loadExperimentWithPlugins(file, values.set ?? []);
    if (issues.length === 0) {
      io.stdout(`${file}: ok\n`);
      continue;
    }
    failed = true;
    for (const issue of issues) io.stderr(formatIssue(issue) + '\n');
  }
  return failed ? 2 : 0;
}
