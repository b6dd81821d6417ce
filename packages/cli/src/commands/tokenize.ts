import { parseCommand, required } from '../args.js';
import { modelFolder, tokenizeWith } from '../model-folder.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision tokenize`. */
export const tokenizeHelp = `Usage: envision tokenize --model DIR [--adapter medclip|clip] --prompt TEXT [--prompt TEXT …]
       envision tokenize --bundle DIR --prompt TEXT [--prompt TEXT …]

Tokenises the prompts as ONE padded batch, exactly as the model's Python tokenizer does, and prints one JSON line on
stdout: {"input_ids": [[…], …], "attention_mask": [[…], …]}, one row per prompt. Loads no model.
  --model DIR    a model folder; the folder decides the adapter (see envision preprocess --help), --adapter overrides
  --bundle DIR   a MedCLIP bundle (the same as --model DIR --adapter medclip)
medclip: the bundle's BERT WordPiece vocabulary, padded to the longest prompt (BertTokenizer with padding=True,
truncation=True, as MedCLIP calls it). clip: the folder's tokenizer.json with Python HF's padding — CLIP to the
longest prompt, SigLIP and open_clip to the maximum length — and truncation that keeps the final special token.`;

/** `envision tokenize`: the exact contract other tools depend on. */
export async function tokenizeCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommand('tokenize', argv, {
    bundle: { type: 'string' },
    model: { type: 'string' },
    adapter: { type: 'string' },
    prompt: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(tokenizeHelp + '\n');
    return 0;
  }
  const cmd = 'tokenize';
  const prompts = required(cmd, 'prompt', values.prompt);
  const { ids, mask } = await tokenizeWith(await modelFolder(cmd, values), prompts);
  const length = ids.shape[1]!;
  const rows = (data: BigInt64Array): number[][] =>
    prompts.map((_, k) => Array.from(data.subarray(k * length, (k + 1) * length), Number));
  io.stdout(JSON.stringify({ input_ids: rows(ids.data), attention_mask: rows(mask.data) }) + '\n');
  return 0;
}
