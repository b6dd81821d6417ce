import { resolve } from 'node:path';
import { loadBundleTokenizer } from '@envision/adapter-medclip';
import { parseCommand, required } from '../args.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision tokenize`. */
export const tokenizeHelp = `Usage: envision tokenize --bundle DIR --prompt TEXT [--prompt TEXT …]

Tokenises the prompts with the bundle's BERT WordPiece vocabulary as ONE batch padded to its longest prompt
(HuggingFace's BertTokenizer with padding=True, truncation=True, as MedCLIP calls it). Prints one JSON line on
stdout: {"input_ids": [[…], …], "attention_mask": [[…], …]}, one row per prompt. Loads no model.`;

/** `envision tokenize`: the exact contract other tools depend on. */
export async function tokenizeCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommand('tokenize', argv, {
    bundle: { type: 'string' },
    prompt: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(tokenizeHelp + '\n');
    return 0;
  }
  const cmd = 'tokenize';
  const bundle = required(cmd, 'bundle', values.bundle);
  const prompts = required(cmd, 'prompt', values.prompt);
  const tokenizer = await loadBundleTokenizer(resolve(bundle));
  const { ids, mask } = tokenizer.encodeBatch(prompts);
  const length = ids.shape[1]!;
  const rows = (data: BigInt64Array): number[][] =>
    prompts.map((_, k) => Array.from(data.subarray(k * length, (k + 1) * length), Number));
  io.stdout(JSON.stringify({ input_ids: rows(ids.data), attention_mask: rows(mask.data) }) + '\n');
  return 0;
}
