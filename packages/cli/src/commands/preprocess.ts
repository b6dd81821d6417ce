import { formatShape, writeNpy } from '@envision/core';
import { parseCommand, required } from '../args.js';
import { modelFolder, preprocessWith } from '../model-folder.js';
import { ensureWritableFile } from '../output.js';
import type { CommandIO } from '../io.js';

/** Help text of `envision preprocess`. */
export const preprocessHelp = `Usage: envision preprocess --model DIR [--adapter medclip|clip] --image FILE --out FILE.npy
       envision preprocess --bundle DIR --image FILE --out FILE.npy

The model's own image preprocessing, written as float32 [1, C, H, W] to --out. Loads no model.
  --model DIR    a model folder; the folder decides the adapter (envision.json: medclip; config.json with model_type
                 clip, siglip or chinese_clip, or open_clip_config.json: clip), --adapter overrides
  --bundle DIR   a MedCLIP bundle (the same as --model DIR --adapter medclip)
medclip: MedCLIPFeatureExtractor (grey, padded to a square on black, resized with PIL's filter, centre-cropped,
normalised, repeated to the model's channels). clip: the folder's CLIPImageProcessor or SiglipImageProcessor (RGB,
resize, center crop, rescale, per-channel normalisation) or open_clip's transform. Reads PNG and JPEG (8- or 16-bit;
grey, RGB or with alpha) and DICOM (uncompressed transfer syntaxes: rescale, window or min–max, MONOCHROME1 inverted).`;

/** `envision preprocess`: the exact contract other tools depend on. */
export async function preprocessCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseCommand('preprocess', argv, {
    bundle: { type: 'string' },
    model: { type: 'string' },
    adapter: { type: 'string' },
    image: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(preprocessHelp + '\n');
    return 0;
  }
  const cmd = 'preprocess';
  const image = required(cmd, 'image', values.image);
  const out = required(cmd, 'out', values.out);
  const folder = await modelFolder(cmd, values);
  await ensureWritableFile(out);
  const pixels = await preprocessWith(folder, image);
  await writeNpy(out, pixels);
  io.stderr(`envision preprocess: wrote ${out} ${formatShape(pixels.shape)} float32\n`);
  return 0;
}
