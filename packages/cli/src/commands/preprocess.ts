import { resolve } from 'node:path';
import { formatShape, writeNpy } from '@envision/core';
import { bundlePreprocessOptions, preprocessImage, readManifest } from '@envision/adapter-medclip';
import { parseCommand, required } from '../args.js';
import { ensureWritableFile } from '../output.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision preprocess`. */
export const preprocessHelp = `Usage: envision preprocess --bundle DIR --image FILE --out FILE.npy

MedCLIP's image preprocessing with the bundle's settings (MedCLIPFeatureExtractor: grey, padded to a square on
black, resized with PIL's filter, centre-cropped, normalised, repeated to the model's channels). Writes float32
[1, channels, size, size] to --out. Reads PNG and JPEG (8- or 16-bit; grey, RGB or with alpha) and DICOM
(uncompressed transfer syntaxes: rescale, window or min–max, MONOCHROME1 inverted). Loads no model.`;

/** `envision preprocess`: the exact contract other tools depend on. */
export async function preprocessCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommand('preprocess', argv, {
    bundle: { type: 'string' },
    image: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(preprocessHelp + '\n');
    return 0;
  }
  const cmd = 'preprocess';
  const bundle = required(cmd, 'bundle', values.bundle);
  const image = required(cmd, 'image', values.image);
  const out = required(cmd, 'out', values.out);
  await ensureWritableFile(out);
  const manifest = await readManifest(resolve(bundle));
  const pixels = await preprocessImage(image, bundlePreprocessOptions(manifest));
  await writeNpy(out, pixels);
  io.stderr(`envision preprocess: wrote ${out} ${formatShape(pixels.shape)} float32\n`);
  return 0;
}
