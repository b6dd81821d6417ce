import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeSafetensors, readSafetensors, readSafetensorsHeader, readSafetensorsStateDict, toFloat32, topLevelKeys } from './safetensors.js';
import { tensor } from '@envision/core';

const dir = mkdtempSync(join(tmpdir(), 'envision-safetensors-'));

/** A safetensors file from a header object (or raw header text) and data bytes. */
function file(name: string, header: object | string, data: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): string {
  const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(lengthOverride ?? BigInt(text.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([length, text, data]));
  return path;
}

const f32 = (...v: number[]): Uint8Array => new Uint8Array(Float32Array.from(v).buffer);

describe('readSafetensorsHeader and readSafetensors', () => {
  it('read a valid file: entries, metadata, and only the tensors asked for', async () => {
    const path = file(
      'ok.safetensors',
      { __metadata__: { format: 'pt' }, logit_scale: { dtype: 'F32', shape: [], data_offsets: [0, 4] }, w: { dtype: 'F32', shape: [2, 2], data_offsets: [4, 20] } },
      f32(4.6052, 1, 2, 3, 4),
    );
    const st = await readSafetensorsHeader(path);
    expect([...st.entries.keys()]).toEqual(['logit_scale', 'w']);
    expect(st.metadata).toEqual({ format: 'pt' });
    const t = await readSafetensors(st, ['logit_scale']);
    expect([...t.keys()]).toEqual(['logit_scale']);
    expect(t.get('logit_scale')!.shape).toEqual([]);
    expect(t.get('logit_scale')!.data[0]).toBe(Math.fround(4.6052));
    expect(Array.from((await readSafetensors(st, ['w'])).get('w')!.data)).toEqual([1, 2, 3, 4]);
  });

  it('converts F16 and BF16 to float32 (hand-computed bit patterns)', () => {
    const half = new Uint8Array(Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001, 0x7c00, 0x0000).buffer);
    expect(Array.from(toFloat32(half, 'F16'))).toEqual([1, -2, 65504, 2 ** -24, Infinity, 0]);
    const bf = new Uint8Array(Uint16Array.of(0x3f80, 0x4049, 0xbf00).buffer);
    expect(Array.from(toFloat32(bf, 'BF16'))).toEqual([1, 3.140625, -0.5]);
  });

  const bad: [string, () => string, RegExp][] = [
    ['a file shorter than 8 bytes', () => { const p = join(dir, 'short'); writeFileSync(p, 'abc'); return p; }, /shorter than the 8-byte header length/],
    ['a header length past the end of the file', () => file('past', '{}', undefined, 1000n), /header length 1000 runs past the end/],
    ['a header length over 100 MB', () => file('huge', '{}', undefined, 200_000_000n), /over the format's limit of 100000000 bytes/],
    ['a header that is not JSON', () => file('json', '{"a":'), /the header is not JSON/],
    ['a header that is an array', () => file('array', '[]'), /the header is not a JSON object/],
    ['a duplicate name', () => file('dup', '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32(1)), /names 'a' twice/],
    ['an unknown dtype', () => file('dtype', { a: { dtype: 'F9', shape: [1], data_offsets: [0, 4] } }, f32(1)), /tensor 'a' has dtype "F9"/],
    ['a negative dimension', () => file('shape', { a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)), /has shape \[-1\]/],
    ['offsets out of the data', () => file('range', { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, f32(1)), /ends at byte 8 of a data section of 4 bytes/],
    ['bytes that do not match the shape', () => file('bytes', { a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, f32(1)), /= 8 bytes, but data_offsets span 4/],
    ['a gap', () => file('gap', { a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(1, 2)), /a gap of 4 bytes before tensor 'a'/],
    ['an overlap', () => file('overlap', { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(1, 2)), /overlaps/],
    ['trailing bytes', () => file('tail', { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(1, 2)), /cover 4 of the 8 data bytes/],
    ['metadata that is not strings', () => file('meta', { __metadata__: { n: 1 } }), /__metadata__ must be an object of strings/],
    ['a huge declared shape', () => file('huge-shape', { a: { dtype: 'F32', shape: [1e12, 1e12], data_offsets: [0, 4] } }, f32(1)), /= 4e\+24 bytes, but data_offsets span 4|has shape/],
    ['data cut short (truncated file)', () => file('truncated', { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(1, 2)), /ends at byte 16 of a data section of 8 bytes/],
    ['offsets that are not integers', () => file('float-offsets', { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4.5] } }, f32(1)), /data_offsets \[0,4\.5\]/],
  ];
  it.each(bad)('refuse %s in one line naming the file', async (_, make, message) => {
    const path = make();
    const error = await readSafetensorsHeader(path).then(() => undefined, (e: unknown) => e as { code: string; message: string });
    expect(error?.code).toBe('E_BUNDLE');
    expect(error?.message.startsWith(`${path}: not a valid safetensors file: `)).toBe(true);
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });

  it('name a missing tensor and a tensor that is not a float', async () => {
    const st = await readSafetensorsHeader(file('ints', { ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)));
    await expect(readSafetensors(st, ['logit_bias'])).rejects.toMatchObject({ code: 'E_BUNDLE', message: `${st.path}: no tensor 'logit_bias'` });
    await expect(readSafetensors(st, ['ids'])).rejects.toMatchObject({ message: `${st.path}: tensor 'ids' is I64; expected F32, F16 or BF16` });
  });

  it('a missing file is E_FILE', async () => {
    await expect(readSafetensorsHeader(join(dir, 'nope'))).rejects.toMatchObject({ code: 'E_FILE' });
  });
});

describe('encodeSafetensors', () => {
  it('writes tensors named __proto__ and constructor like any other (its header has no prototype)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envision-st-'));
    const tensors = new Map([
      ['__proto__', tensor('float32', [2], Float32Array.of(1, 2))],
      ['constructor', tensor('float32', [], Float32Array.of(3))],
    ]);
    writeFileSync(join(dir, 'p.safetensors'), encodeSafetensors(tensors, { format: 'pt' }));
    const back = await readSafetensorsStateDict(join(dir, 'p.safetensors'));
    expect([...back.keys()].sort()).toEqual(['__proto__', 'constructor']);
    expect(Array.from(back.get('__proto__')!.data as Float32Array)).toEqual([1, 2]);
  });
});

describe('topLevelKeys', () => {
  it('lists the keys of the outer object only, escapes and nesting included', () => {
    expect(topLevelKeys('{"a":{"b":1,"c":[{"d":2}]},"e\\"f":"x:y","g":[1,{"h":3}]}')).toEqual(['a', 'e"f', 'g']);
  });
});
