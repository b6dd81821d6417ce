import { EnvisionError, formatIssue, isEnvisionError, loadCheckedAdapter, prepareTarget, type Experiment, type PluginRegistry } from '@envision/core';
import { parseCommand } from '../args.js';
import { loadExperimentWithPlugins } from '../experiment.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision validate`. */
export const validateHelp = `Usage: envision validate FILE… [--set key.path=value …]

Validates experiment files against the core schema and the options schemas of the plugins they use, then loads
the model with its adapter and checks it (the vision model's input and output, its embedding width, gradients for
gradient methods) and embeds the targets' texts. Every problem is printed as FILE:LINE:COL path message (FILE: message
for the model); warnings (e.g. a classifier target fused by a rule that ignores class groups) as FILE: warning: …;
the exit code is 2 if there is any problem.`;

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
    const { issues, experiment, registry } = await loadExperimentWithPlugins(file, values.set ?? []);
    if (issues.length === 0 && experiment !== undefined && registry !== undefined) {
      const problem = await checkModel(experiment, registry, (warning) => io.stderr(`${file}: warning: ${warning}\n`));
      if (problem === undefined) {
        io.stdout(`${file}: ok\n`);
        continue;
      }
      failed = true;
      io.stderr(`${file}: ${problem}\n`);
      continue;
    }
    failed = true;
    for (const issue of issues) io.stderr(formatIssue(issue) + '\n');
  }
  return failed ? 2 : 0;
}

/**
 * Loads the experiment's model, checks the adapter and prepares every target (embedding its texts), as a run would
 * before its first image. Returns the problem's message, or undefined when there is none.
 */
async function checkModel(experiment: Experiment, registry: PluginRegistry, warn: (message: string) => void): Promise<string | undefined> {
  let adapter;
  try {
    adapter = await loadCheckedAdapter(experiment, registry);
    for (const target of experiment.targets) {
      for (const warning of (await prepareTarget(target, adapter, registry, experiment.seed)).warnings) warn(warning);
    }
    return undefined;
  } catch (e) {
    if (!isEnvisionError(e)) throw e;
    return e.message;
  } finally {
    await adapter?.dispose?.();
  }
}
