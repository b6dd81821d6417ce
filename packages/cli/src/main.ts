import { readFileSync } from 'node:fs';
import { isEnvisionError } from '@envision/core';
import { attributeCommand } from './commands/attribute.js';
import { validateCommand } from './commands/validate.js';
import { runCommand } from './commands/run.js';
import { workerCommand } from './commands/worker.js';
import { sanityCommand } from './commands/sanity.js';
import { gradCommand } from './commands/grad.js';
import { preprocessCommand } from './commands/preprocess.js';
import { tokenizeCommand } from './commands/tokenize.js';
import { embedCommand } from './commands/embed.js';
import { classifyCommand } from './commands/classify.js';
import { importCommand } from './commands/import.js';
import { phantomCommand } from './commands/phantom.js';
import { benchCommand } from './commands/bench.js';
import { newCommand } from './commands/new.js';
import { serveCommand } from './commands/serve.js';
import { processIO, type CommandIO } from './io.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Top-level help of the `envision` binary. */
export const mainHelp = `Usage: envision <command> [options]

Commands:
  run FILE [--set key.path=value …] [--json]   run a YAML experiment: maps, overlays, figures, manifest, report.html
      [--resume | --fresh] [--workers N]         continue a stopped run, or start over; items in N processes
      [--queue redis://HOST:PORT[/DB]]           items on a BullMQ queue, computed by envision worker processes
  worker --queue URL [--concurrency N]          compute queued items of envision run --queue on this machine
  validate FILE… [--set key.path=value …]       check experiments; errors as FILE:LINE:COL path message
  sanity FILE [--out DIR] [--set …] [--json]    model-randomisation and random-prompt checks of each method
  serve RUN_DIR [--port P]                      explore a finished run on 127.0.0.1: type a prompt, see its map
  attribute --model … --method ID …            attribute one ONNX model output to one input (see attribute --help)
  grad --model … --cotangent FILE.npy …        vector–Jacobian products of an ONNX model (see grad --help)
  preprocess --model DIR --image FILE --out F   the model's preprocessing → float32 [1, C, H, W]
  tokenize --model DIR --prompt TEXT …          token ids and mask of one padded batch, as JSON
  embed --model DIR (--image F | --prompt T …) --out F    unnormalised embeddings [B, M]
  classify --model DIR --image FILE [--prompts SET] [--ensemble mean|max] [--json]   zero-shot classification
  import medclip CHECKPOINT --vocab VOCAB.txt --out DIR [--variant vit|resnet] [--text-heads N]   checkpoint → bundle
  phantom --n N --out DIR [--seed S] [--size 224] [--json]   synthetic chest X-rays with pixel-exact findings
  bench phantom [--n N] [--json] [--out DIR] [--bundle DIR] [--methods …]   baseline vs proposed on held-out phantoms
  new method|adapter|fusion NAME [--dir D] [--packs DIR]   a plugin package to start from (template, test, example)

Options: --help, --version. Exit codes: 0 success, 2 bad input (one-line message), 1 internal error.`;

const commands: Record<string, (argv: readonly string[], io: CommandIO) => Promise<number>> = {
  attribute: attributeCommand,
  grad: gradCommand,
  preprocess: preprocessCommand,
  tokenize: tokenizeCommand,
  embed: embedCommand,
  classify: classifyCommand,
  import: importCommand,
  phantom: phantomCommand,
  bench: benchCommand,
  new: newCommand,
  validate: validateCommand,
  run: runCommand,
  worker: workerCommand,
  sanity: sanityCommand,
  serve: serveCommand,
};

/**
 * Runs the CLI and returns its exit code: 0 on success, 2 for bad input (an `EnvisionError`, printed as one
 * line), 1 for an unexpected failure.
 */
export async function main(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // A usage error: one line on stderr (the help is what --help prints)
    io.stderr('envision: give a command (see envision --help)\n');
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(mainHelp + '\n');
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${version}\n`);
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    io.stderr(`envision: unknown command '${name}' (commands: ${Object.keys(commands).join(', ')})\n`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (e) {
    if (isEnvisionError(e)) {
      io.stderr(`envision ${name}: ${e.message.split('\n')[0]}\n`);
      return 2;
    }
    io.stderr(`envision ${name}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
