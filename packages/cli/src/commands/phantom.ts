import { relative } from 'node:path';
import { EnvisionError } from '@envision/core';
import { parseCommand, required } from '../args.js';
import type { CommandIO } from '../io.js';
import { writePhantoms } from '@envision/phantom';

/** Help text of `envision phantom`. */
export const phantomHelp = `Usage: envision phantom --n N --out DIR [--seed S] [--size PIXELS] [--json]

Generates N synthetic frontal chest radiographs whose findings are known pixel by pixel (Nodule, Consolidation,
Atelectasis, Pleural Effusion, Pneumothorax, Edema, Cardiomegaly; 0–2 per image) with MedCLIP-style captions.
Writes DIR/images/phantom-<i>.png, DIR/masks/phantom-<i>-body.png, one DIR/masks/phantom-<i>-<finding>.png
per finding and per distractor (0/255), and DIR/index.json (format envision-phantoms/1). Phantom i uses seed S + i.
  --n N         number of phantoms (≥ 1)
  --seed S      seed of the set (integer ≥ 0, default 0)
  --size PIXELS image width and height (64–2048, default 224)
  --json        print {"index": PATH, "n": N, "findings": K} instead of the summary line`;

/** An integer flag value no smaller than `min`. */
function integer(flag: string, text: string, min: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new EnvisionError('E_USAGE', `--${flag} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}

/** `envision phantom`: writes a phantom set and its index. */
export async function phantomCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommand('phantom', argv, {
    n: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    size: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(phantomHelp + '\n');
    return 0;
  }
  const cmd = 'phantom';
  const n = integer('n', required(cmd, 'n', values.n), 1);
  const out = required(cmd, 'out', values.out);
  const seed = values.seed === undefined ? 0 : integer('seed', values.seed, 0);
  const size = values.size === undefined ? 224 : integer('size', values.size, 1);
  if (size < 64 || size > 2048) throw new EnvisionError('E_USAGE', `--size must be from 64 to 2048, got ${size}`);
  const started = performance.now();
  const { index, indexPath } = await writePhantoms({ n, seed, out, size });
  const findings = index.items.reduce((k, item) => k + item.findings.length, 0);
  if (values.json) {
    io.stdout(JSON.stringify({ index: indexPath, n, findings }) + '\n');
    return 0;
  }
  const normal = index.items.filter((item) => item.findings.length === 0).length;
  const where = relative(process.cwd(), indexPath) || indexPath;
  io.stderr(`envision phantom: wrote ${n} phantom${n === 1 ? '' : 's'} (${size}×${size}, seeds ${seed}–${seed + n - 1}; ${findings} finding${findings === 1 ? '' : 's'}, ${normal} normal) and ${where} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}
