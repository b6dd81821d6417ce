import { fileURLToPath } from 'node:url';
import { maxAbsoluteError, readNpy } from '@envision/core';
import { decodeRgb } from '@envision/image';
import { describe, expect, it } from 'vitest';
import { OPENAI_MEAN, OPENAI_STD, processRgb, processorFromConfig, processorFromOpenClip } from './image-processor.js';

const F = 'dir/preprocessor_config.json';

describe('processorFromConfig', () => {
  it("reads openai/clip-vit-base-patch32's CLIPImageProcessor", () => {
    const spec = processorFromConfig(F, {
      image_processor_type: 'CLIPImageProcessor',
      do_resize: true,
      size: { shortest_edge: 224 },
      resample: 3,
      do_center_crop: true,
      crop_size: { height: 224, width: 224 },
      do_rescale: true,
      rescale_factor: 0.00392156862745098,
      do_normalize: true,
      image_mean: [...OPENAI_MEAN],
      image_std: [...OPENAI_STD],
    });
    expect(spec).toMatchObject({ resize: { shortestEdge: 224 }, filter: 'bicubic', crop: { width: 224, height: 224 }, cropOffset: 'floor', rescale: { factor: 1 / 255 } });
  });

  it("fills transformers' defaults: CLIP's shortest edge 224, crop 224, bicubic, OpenAI mean/std; legacy integer sizes", () => {
    expect(processorFromConfig(F, { feature_extractor_type: 'CLIPFeatureExtractor', size: 336, crop_size: 336 })).toMatchObject({
      resize: { shortestEdge: 336 },
      crop: { width: 336, height: 336 },
      filter: 'bicubic',
      mean: OPENAI_MEAN,
      std: OPENAI_STD,
    });
  });

  it("reads SiglipImageProcessor: squash to height × width, bilinear by default, mean = std = 0.5, no crop", () => {
    const spec = processorFromConfig(F, { image_processor_type: 'SiglipImageProcessor', size: { height: 384, width: 384 } });
    expect(spec).toMatchObject({ resize: { width: 384, height: 384 }, filter: 'bilinear', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    expect(spec.crop).toBeUndefined();
    expect(processorFromConfig(F, { image_processor_type: 'SiglipImageProcessor', size: 224 }).resize).toEqual({ width: 224, height: 224 });
  });

  it('turns steps off as the flags say', () => {
    const spec = processorFromConfig(F, { image_processor_type: 'CLIPImageProcessor', do_resize: false, do_center_crop: false, do_rescale: false, do_normalize: false });
    expect(spec).toMatchObject({ rescale: 'none', mean: [0, 0, 0], std: [1, 1, 1] });
    expect(spec.resize).toBeUndefined();
    expect(spec.crop).toBeUndefined();
    const t = processRgb({ width: 1, height: 1, data: Uint8Array.of(7, 8, 9) }, spec);
    expect(Array.from(t.data)).toEqual([7, 8, 9]);
  });

  it.each([
    [{ image_processor_type: 'ViTImageProcessor' }, `${F}: image_processor_type "ViTImageProcessor" is not one this adapter reproduces`],
    [{}, `${F}: image_processor_type undefined is not one`],
    [{ image_processor_type: 'CLIPImageProcessor', resample: 0 }, `${F}: resample 0 is not supported; use 1 (lanczos), 2 (bilinear), 3 (bicubic), 4 (box) or 5 (hamming)`],
    [{ image_processor_type: 'CLIPImageProcessor', size: { longest_edge: 3 } }, `${F}: size must be an integer, {"shortest_edge": n} or {"height": h, "width": w}, got {"longest_edge":3}`],
    [{ image_processor_type: 'CLIPImageProcessor', image_mean: [0.5] }, `${F}: image_mean must be three numbers, got [0.5]`],
    [{ image_processor_type: 'CLIPImageProcessor', image_std: [1, 0, 1] }, `${F}: image_std must hold numbers from 1e-6 to 1000 in magnitude (normalised pixels must stay finite), got [1,0,1]`],
    [{ image_processor_type: 'CLIPImageProcessor', do_resize: 'yes' }, `${F}: do_resize must be true or false, got "yes"`],
  ])('refuses %j in one line naming the file and field', (config, message) => {
    expect(() => processorFromConfig(F, config)).toThrow(expect.objectContaining({ code: 'E_BUNDLE', message: expect.stringContaining(message) }));
  });
});

describe('processorFromOpenClip', () => {
  const O = 'dir/open_clip_config.json';
  it("reads BiomedCLIP's preprocess_cfg: shortest-edge resize and torchvision's crop and ToTensor", () => {
    const spec = processorFromOpenClip(O, { model_cfg: { vision_cfg: { image_size: 224 } }, preprocess_cfg: { mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] } });
    expect(spec).toMatchObject({ resize: { shortestEdge: 224 }, crop: { width: 224, height: 224 }, filter: 'bicubic', cropOffset: 'round', rescale: 'divide-255' });
  });
  it('squash mode has no crop; longest (padding) is refused in one line', () => {
    expect(processorFromOpenClip(O, { model_cfg: { vision_cfg: { image_size: 32 } }, preprocess_cfg: { resize_mode: 'squash', interpolation: 'bilinear' } })).toMatchObject({
      resize: { width: 32, height: 32 },
      filter: 'bilinear',
    });
    expect(() => processorFromOpenClip(O, { preprocess_cfg: { resize_mode: 'longest' } })).toThrow(`${O}: preprocess_cfg.resize_mode "longest" is not supported; shortest or squash`);
  });
});

describe("open_clip's transform against torchvision (packages/image/scripts/make_pil_reference.py, group open_clip)", () => {
  const fixture = (name: string): string => fileURLToPath(new URL(`../../image/test-fixtures/${name}`, import.meta.url));
  const O = 'open_clip_config.json';
  for (const name of ['wide', 'tall', 'small']) {
    it(`Resize(24, bicubic), CenterCrop(23), ToTensor, Normalize: ${name}`, async () => {
      const spec = { ...processorFromOpenClip(O, { model_cfg: { vision_cfg: { image_size: 24 } } }), crop: { width: 23, height: 23 } };
      const pixels = processRgb(await decodeRgb(fixture(`processor-${name}.png`)), spec);
      const expected = await readNpy(fixture(`processor-openclip-${name}.npy`));
      expect(pixels.shape).toEqual(expected.shape);
      expect(maxAbsoluteError(pixels, expected)).toBeLessThan(1e-6);
    });
    it(`squash: Resize((16, 20), bicubic), ToTensor, Normalize: ${name}`, async () => {
      const spec = { ...processorFromOpenClip(O, { preprocess_cfg: { resize_mode: 'squash' } }), resize: { width: 20, height: 16 } };
      const pixels = processRgb(await decodeRgb(fixture(`processor-${name}.png`)), spec);
      expect(maxAbsoluteError(pixels, await readNpy(fixture(`processor-openclip-squash-${name}.npy`)))).toBeLessThan(1e-6);
    });
  }
});
