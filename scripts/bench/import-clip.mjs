// Import benchmark (not a test): `envision import clip` of a full-size random CLIP ViT-B/16 checkpoint, made by
// scripts/bench/make_clip_b16.py. Prints wall time, peak resident memory and the checkpoint's size, and checks that the
// imported folder loads in the clip adapter and embeds an image.
//   /usr/bin/python3 scripts/bench/make_clip_b16.py && pnpm run build && node scripts/bench/import-clip.mjs
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClipAdapter, importClip } from '../../packages/adapter-clip/dist/index.js';

const source = process.argv[2] ?? '.cache/bench/clip-b16';
const bytes = statSync(join(source, 'model.safetensors')).size;
const dir = mkdtempSync(join(tmpdir(), 'envision-import-bench-'));
const started = performance.now();
const result = await importClip({ source, out: join(dir, 'clip') });
const seconds = (performance.now() - started) / 1000;
const peak = process.resourceUsage().maxRSS * 1024;
console.log(`import: ${seconds.toFixed(1)} s, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB = ${(peak / bytes).toFixed(2)}× the ${(bytes / 2 ** 20).toFixed(0)} MiB checkpoint; vision ${(result.bytes.vision / 1e6).toFixed(0)} MB, text ${(result.bytes.text / 1e6).toFixed(0)} MB`);
const adapter = await ClipAdapter.load({ dir: result.out });
const e = await adapter.encodeImage(await adapter.preprocessImage('fixtures/images/cxr-a.png'));
console.log(`loads and embeds: image_embeds ${JSON.stringify(e.shape)}`);
await adapter.dispose();
rmSync(dir, { recursive: true, force: true });
