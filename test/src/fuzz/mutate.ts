// Seeded mutators for the fuzz test (test/src/fuzz.test.ts): a small PRNG and byte-, PNG-, npy-, ONNX-, YAML- and
// JSON-level mutations of valid input files. Everything here is deterministic in the seed.
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { SeededRandom, decodeModel, encodeModel, type ModelProto } from '@envision/onnx-grad';

/** The seed of case `index` of a kind whose base seed is `base` (a splitmix-like hash, so neighbours differ). */
export function caseSeed(base: number, index: number): number {
  let h = (base ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Random helpers over one PRNG. */
export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    const random = new SeededRandom(seed);
    this.next = () => random.uniform();
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** A mutated file and a short description of the mutation (for failure messages and KNOWN exclusions). */
export interface Mutant {
  bytes: Uint8Array;
  /** e.g. `flip 3 bits @[12,40,41]`; the first word is the mutation class. */
  desc: string;
}

const INTERESTING_U32 = [0, 1, 2, 3, 7, 8, 15, 16, 255, 256, 65535, 65536, 0x7fffffff, 0x80000000, 0xffffffff, 100000, 46341];

/** Flips 1–8 bits, at random positions or (half the time) among the first `head` bytes. */
export function bitFlip(rng: Rng, input: Uint8Array, head = 64, from = 0): Mutant {
  const bytes = Uint8Array.from(input);
  const n = rng.range(1, 8);
  const inHead = rng.chance(0.5);
  const at: string[] = [];
  for (let k = 0; k < n; k++) {
    const pos = inHead ? from + rng.int(Math.min(head, bytes.length - from)) : from + rng.int(bytes.length - from);
    const bit = rng.int(8);
    bytes[pos]! ^= 1 << bit;
    at.push(`${pos}.${bit}`);
  }
  return { bytes, desc: `flip ${n} bits @[${at.join(',')}]` };
}

/** Cuts the file to a shorter length (half the time within the first 256 bytes). */
export function truncate(rng: Rng, input: Uint8Array): Mutant {
  const len = rng.chance(0.5) ? rng.int(Math.min(256, input.length)) : rng.int(input.length);
  return { bytes: input.slice(0, len), desc: `truncate to ${len} of ${input.length}` };
}

/** Inserts 1–16 random or special bytes at a random position (half the time within the first 64 bytes). */
export function insertBytes(rng: Rng, input: Uint8Array, from = 0): Mutant {
  const pos = rng.chance(0.5) ? from + rng.int(Math.min(64, input.length - from) + 1) : from + rng.int(input.length - from + 1);
  const n = rng.range(1, 16);
  const special = rng.chance(0.5);
  const fill = Uint8Array.from({ length: n }, () => (special ? rng.pick([0x00, 0xff, 0x7f, 0x80, 0x0a, 0x22, 0x27, 0x3a, 0x2d]) : rng.int(256)));
  const bytes = new Uint8Array(input.length + n);
  bytes.set(input.subarray(0, pos), 0);
  bytes.set(fill, pos);
  bytes.set(input.subarray(pos), pos + n);
  return { bytes, desc: `insert ${n} bytes @${pos} [${Buffer.from(fill).toString('hex')}]` };
}

/** Overwrites a 4-byte big- or little-endian word with an interesting value. */
export function overwriteWord(rng: Rng, input: Uint8Array, head = 64): Mutant {
  const bytes = Uint8Array.from(input);
  if (bytes.length < 4) return { bytes, desc: 'overwrite (too short)' };
  const pos = rng.chance(0.6) ? rng.int(Math.min(head, bytes.length - 3)) : rng.int(bytes.length - 3);
  const v = rng.pick(INTERESTING_U32);
  const view = new DataView(bytes.buffer);
  const le = rng.chance(0.5);
  view.setUint32(pos, v, le);
  return { bytes, desc: `overwrite u32${le ? 'le' : 'be'} @${pos} = ${v}` };
}

/** One of the generic byte mutations. */
export function byteMutation(rng: Rng, input: Uint8Array, head = 64): Mutant {
  switch (rng.int(4)) {
    case 0:
      return bitFlip(rng, input, head);
    case 1:
      return truncate(rng, input);
    case 2:
      return insertBytes(rng, input);
    default:
      return overwriteWord(rng, input, head);
  }
}

// ---------------------------------------------------------------- PNG

interface Chunk {
  type: string;
  data: Uint8Array;
  /** Stored CRC (undefined: compute it when writing). */
  crc?: number;
  /** Stored length (undefined: the data length). */
  length?: number;
}

function readChunks(png: Uint8Array): Chunk[] {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Chunk[] = [];
  for (let i = 8; i + 12 <= png.length; ) {
    const length = view.getUint32(i);
    const type = Buffer.from(png.subarray(i + 4, i + 8)).toString('latin1');
    chunks.push({ type, data: png.slice(i + 8, i + 8 + length) });
    i += 12 + length;
  }
  return chunks;
}

function writeChunks(chunks: readonly Chunk[]): Uint8Array {
  const parts: Buffer[] = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])];
  for (const c of chunks) {
    const head = Buffer.alloc(8);
    head.writeUInt32BE((c.length ?? c.data.length) >>> 0, 0);
    head.write(c.type.padEnd(4, ' ').slice(0, 4), 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE((c.crc ?? crc32(Buffer.concat([head.subarray(4), c.data]))) >>> 0, 0);
    parts.push(head, Buffer.from(c.data), crc);
  }
  return new Uint8Array(Buffer.concat(parts));
}

/** Structural PNG edits: IHDR fields, chunk lengths, CRCs, chunk order and presence, the IDAT stream's content. */
export function pngHeaderEdit(rng: Rng, png: Uint8Array): Mutant {
  const chunks = readChunks(png);
  const ihdr = chunks.find((c) => c.type === 'IHDR')!;
  const idatIndex = chunks.findIndex((c) => c.type === 'IDAT');
  const fixCrc = rng.chance(0.8);
  const crcNote = fixCrc ? '' : ' (stale crc)';
  const staleCrc = (c: Chunk) => {
    if (!fixCrc) c.crc = crc32(Buffer.concat([Buffer.from(c.type, 'latin1'), Buffer.from(c.data)])) ^ 1;
  };
  const which = rng.int(11);
  switch (which) {
    case 0: {
      // width or height
      const field = rng.pick(['width', 'height'] as const);
      const v = rng.pick([0, 1, 2, 255, 257, 512, 4096, 65535, 65536, 100000, 0x7fffffff, 0x80000000, 0xffffffff]);
      const data = Uint8Array.from(ihdr.data);
      new DataView(data.buffer).setUint32(field === 'width' ? 0 : 4, v);
      ihdr.data = data;
      staleCrc(ihdr);
      return { bytes: writeChunks(chunks), desc: `png-ihdr ${field}=${v}${crcNote}` };
    }
    case 1:
    case 2: {
      // bit depth, colour type, compression, filter, interlace
      const [field, offset, values] = rng.pick([
        ['bitDepth', 8, [0, 1, 2, 3, 4, 5, 7, 9, 16, 32, 255]],
        ['colorType', 9, [1, 2, 3, 4, 5, 6, 7, 8, 255]],
        ['compression', 10, [1, 8, 255]],
        ['filter', 11, [1, 64, 255]],
        ['interlace', 12, [1, 2, 255]],
      ] as const);
      const data = Uint8Array.from(ihdr.data);
      const v = rng.pick(values);
      data[offset] = v;
      ihdr.data = data;
      staleCrc(ihdr);
      return { bytes: writeChunks(chunks), desc: `png-ihdr ${field}=${v}${crcNote}` };
    }
    case 3: {
      // a chunk's length field
      const c = rng.pick(chunks);
      c.length = rng.pick([0, 1, 12, 13, 14, c.data.length - 1, c.data.length + 1, 0x7fffffff, 0x80000000, 0xffffffff]);
      return { bytes: writeChunks(chunks), desc: `png-length ${c.type}.length=${c.length}` };
    }
    case 4: {
      // IHDR data of another length
      const n = rng.pick([0, 12, 14, 25]);
      const data = new Uint8Array(n);
      data.set(ihdr.data.subarray(0, Math.min(n, 13)));
      ihdr.data = data;
      return { bytes: writeChunks(chunks), desc: `png-ihdr-size ${n}` };
    }
    case 5: {
      // remove, duplicate or move a chunk
      const op = rng.pick(['remove', 'duplicate', 'to-front', 'to-end'] as const);
      const i = rng.int(chunks.length);
      const c = chunks[i]!;
      if (op === 'remove') chunks.splice(i, 1);
      else if (op === 'duplicate') chunks.splice(i, 0, { ...c });
      else if (op === 'to-front') chunks.unshift(...chunks.splice(i, 1));
      else chunks.push(...chunks.splice(i, 1));
      return { bytes: writeChunks(chunks), desc: `png-chunks ${op} ${c.type}` };
    }
    case 6: {
      // an extra chunk: PLTE, tRNS, gAMA, an unknown critical or ancillary one, before or after IDAT
      const type = rng.pick(['PLTE', 'tRNS', 'gAMA', 'sBIT', 'iCCP', 'ABCD', 'abCD', 'zTXt']);
      const data = Uint8Array.from({ length: rng.pick([0, 1, 3, 6, 33, 768, 1000]) }, () => rng.int(256));
      chunks.splice(rng.chance(0.5) ? 1 : idatIndex + 1, 0, { type, data });
      return { bytes: writeChunks(chunks), desc: `png-extra ${type}[${data.length}]` };
    }
    case 7:
    case 8: {
      // the decompressed scanlines: filter bytes, too short, too long (re-deflated, valid CRC)
      const idat = chunks[idatIndex]!;
      const raw = Uint8Array.from(inflateSync(idat.data));
      const stride = 1 + 256; // 256 px wide, 8-bit grey (cxr-a.png)
      const op = rng.pick(['filter-byte', 'short', 'long', 'empty'] as const);
      let out = raw;
      let desc: string;
      if (op === 'filter-byte') {
        const row = rng.int(256);
        const v = rng.pick([5, 6, 127, 255]);
        out[row * stride] = v;
        desc = `row ${row} filter=${v}`;
      } else if (op === 'short') {
        out = raw.slice(0, rng.int(raw.length));
        desc = `${out.length} of ${raw.length} bytes`;
      } else if (op === 'long') {
        const extra = rng.pick([1, stride, 100000]);
        out = new Uint8Array(raw.length + extra);
        out.set(raw);
        desc = `${raw.length}+${extra} bytes`;
      } else {
        out = new Uint8Array(0);
        desc = 'empty';
      }
      idat.data = new Uint8Array(deflateSync(out));
      return { bytes: writeChunks(chunks), desc: `png-idat ${op} ${desc}` };
    }
    case 9: {
      // corrupt the zlib stream itself, CRC fixed (or not)
      const idat = chunks[idatIndex]!;
      const m = rng.chance(0.5) ? bitFlip(rng, idat.data, 8) : rng.chance(0.5) ? truncate(rng, idat.data) : insertBytes(rng, idat.data);
      idat.data = m.bytes;
      staleCrc(idat);
      return { bytes: writeChunks(chunks), desc: `png-zlib ${m.desc}${crcNote}` };
    }
    default: {
      // the signature
      const bytes = Uint8Array.from(png);
      const pos = rng.int(8);
      bytes[pos] = rng.int(256);
      return { bytes, desc: `png-signature byte ${pos}=${bytes[pos]}` };
    }
  }
}

// ---------------------------------------------------------------- npy

/** The header of an .npy file: version, header text and where the data starts. */
function splitNpy(npy: Uint8Array): { major: number; header: string; data: Uint8Array } {
  const major = npy[6]!;
  const lenBytes = major === 1 ? 2 : 4;
  const view = new DataView(npy.buffer, npy.byteOffset, npy.byteLength);
  const hlen = lenBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  return { major, header: Buffer.from(npy.subarray(start, start + hlen)).toString('latin1'), data: npy.slice(start + hlen) };
}

/** An .npy file from a header dictionary text (padded to 64 bytes with a newline, as numpy writes it). */
export function joinNpy(major: number, dict: string, data: Uint8Array, pad = true): Uint8Array {
  const lenBytes = major === 1 ? 2 : 4;
  let header = dict;
  if (pad) {
    const total = 8 + lenBytes + header.length + 1;
    header = header + ' '.repeat((64 - (total % 64)) % 64) + '\n';
  }
  const pre = Buffer.alloc(8 + lenBytes);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(pre);
  if (lenBytes === 2) pre.writeUInt16LE(Math.min(header.length, 0xffff), 8);
  else pre.writeUInt32LE(header.length, 8);
  return new Uint8Array(Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data)]));
}

/** Structural .npy edits: descr, fortran_order, shape, the dictionary's syntax, version, header length, data values. */
export function npyHeaderEdit(rng: Rng, npy: Uint8Array): Mutant {
  const { major, header, data } = splitNpy(npy);
  const m = /'descr': *'([^']*)'/.exec(header);
  const descr = m ? m[1]! : '<f4';
  const shapeMatch = /'shape': *\(([^)]*)\)/.exec(header);
  const shape = shapeMatch ? shapeMatch[1]! : '';
  const dict = (d: string, f: string, s: string) => `{'descr': ${d}, 'fortran_order': ${f}, 'shape': (${s}), }`;
  const which = rng.int(9);
  switch (which) {
    case 0: {
      const d = rng.pick(["'<f8'", "'>f4'", "'<f2'", "'<i8'", "'<i4'", "'|u1'", "'|b1'", "'<c8'", "'O'", "'|V4'", "'<U4'", "'f4'", "'<f16'", "''", "'<f4 '", '4', 'None']);
      return { bytes: joinNpy(major, dict(d, 'False', shape), data), desc: `npy-descr ${d}` };
    }
    case 1: {
      const f = rng.pick(['True', '1', "'False'", 'None', 'false']);
      return { bytes: joinNpy(major, dict(`'${descr}'`, f, shape), data), desc: `npy-fortran ${f}` };
    }
    case 2:
    case 3: {
      const s = rng.pick([
        '',
        '768,',
        '1, 3, 16',
        '1, 3, 16, 16, 1',
        '3, 16, 16',
        '1, 3, 16, 17',
        '1, 3, 8, 32',
        '1, 1, 16, 16',
        '1, 6, 16, 16',
        '0, 3, 16, 16',
        '-1, 3, 16, 16',
        '1, 3, -16, -16',
        '1, 3, 16, 1000000000000',
        '2, 3, 16, 16',
        '1, 3, 16, 16.5',
        '1, 3, 16, 9007199254740993',
        '1, 3, 65536, 65536',
        '1, 3, 16, 16,,',
        '1, 3, 16, 0x10',
        '1, 3, 16, 1e1',
      ]);
      return { bytes: joinNpy(major, dict(`'${descr}'`, 'False', s), data), desc: `npy-shape (${s})` };
    }
    case 4: {
      const d = rng.pick([
        `{'descr': '${descr}', 'shape': (${shape}), }`,
        `{'fortran_order': False, 'shape': (${shape}), }`,
        `{'descr': '${descr}', 'fortran_order': False, }`,
        `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape}), 'extra': 1, }`,
        `{'descr': '${descr}', 'descr': '<f8', 'fortran_order': False, 'shape': (${shape}), }`,
        `{'descr': '${descr}', 'fortran_order': False, 'shape': [${shape}], }`,
        `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape}) `,
        `['${descr}', False, (${shape})]`,
        `{"descr": "${descr}", "fortran_order": false, "shape": [${shape}]}`,
        `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape}), '__proto__': {'x': 1}, }`,
        '',
        '{}',
      ]);
      return { bytes: joinNpy(major, d, data), desc: `npy-dict ${d}` };
    }
    case 5: {
      const v = rng.pick([0, 2, 3, 4, 255]);
      const bytes = Uint8Array.from(npy);
      bytes[rng.chance(0.7) ? 6 : 7] = v;
      return { bytes, desc: `npy-version byte=${v}` };
    }
    case 6: {
      const bytes = Uint8Array.from(npy);
      const v = rng.pick([0, 1, 10, header.length - 1, header.length + 1, header.length + 16, 0x7fff, 0xffff]);
      new DataView(bytes.buffer).setUint16(8, v, true);
      return { bytes, desc: `npy-hlen ${v}` };
    }
    case 7: {
      // data values: NaN, infinities, huge, denormal, negative zero
      const out = Uint8Array.from(data);
      const view = new DataView(out.buffer);
      const n = Math.floor(out.length / 4);
      const value = rng.pick([NaN, Infinity, -Infinity, 3.4e38, -3.4e38, 1e-45, -0, 1e20]);
      const count = rng.pick([1, 5, n]);
      for (let k = 0; k < count; k++) view.setFloat32(4 * rng.int(n), value, true);
      return { bytes: joinNpy(major, header, out, false), desc: `npy-values ${count}x${value}` };
    }
    default: {
      // data length: short or long by a few bytes or elements
      const delta = rng.pick([-data.length, -4, -1, 1, 4, 768 * 4]);
      const out = delta < 0 ? data.slice(0, data.length + delta) : Buffer.concat([Buffer.from(data), Buffer.alloc(delta)]);
      return { bytes: joinNpy(major, header, out, false), desc: `npy-data ${delta > 0 ? '+' : ''}${delta} bytes` };
    }
  }
}

// ---------------------------------------------------------------- ONNX

/** Structural ONNX edits through the project's own codec: versions, ops, attributes, initializers, graph I/O. */
export function onnxHeaderEdit(rng: Rng, bytes: Uint8Array): Mutant {
  const model: ModelProto = decodeModel(Uint8Array.from(bytes), 'fuzz');
  const g = model.graph!;
  let desc: string;
  const which = rng.int(14);
  switch (which) {
    case 0: {
      const v = rng.pick([1, 2, 3, 7, 10, 11, 12, 100, 0x7fffffff]);
      model.ir_version = v;
      desc = `ir_version=${v}`;
      break;
    }
    case 1: {
      const op = rng.pick(['version', 'domain', 'remove', 'duplicate'] as const);
      if (op === 'version') {
        const v = rng.pick([0, 1, 6, 7, 11, 13, 18, 21, 22, 23, 99, 0x7fffffff]);
        model.opset_import[0]!.version = v;
        desc = `opset version=${v}`;
      } else if (op === 'domain') {
        const d = rng.pick(['ai.onnx', 'ai.onnx.ml', 'com.microsoft', 'x']);
        model.opset_import[0]!.domain = d;
        desc = `opset domain=${d}`;
      } else if (op === 'remove') {
        model.opset_import = [];
        desc = 'opset removed';
      } else {
        model.opset_import.push({ ...model.opset_import[0]!, version: 13 });
        desc = 'opset duplicated (13)';
      }
      break;
    }
    case 2: {
      const i = rng.int(g.node.length);
      const op = rng.pick(['Conv2', '', 'Sigmoid', 'Tanh', 'Identity', 'Abs', 'MatMul', 'Reshape', 'Softmax', 'Loop', 'If', 'Scan', 'Gemm', 'Conv', 'Relu', 'Flatten']);
      desc = `node ${i} op ${g.node[i]!.op_type}->${op}`;
      g.node[i]!.op_type = op;
      break;
    }
    case 3: {
      const i = rng.int(g.node.length);
      const d = rng.pick(['com.microsoft', 'ai.onnx.ml', 'custom', 'ai.onnx']);
      g.node[i]!.domain = d;
      desc = `node ${i} domain=${d}`;
      break;
    }
    case 4: {
      const i = rng.int(g.node.length);
      const n = g.node[i]!;
      const side = rng.pick(['input', 'output'] as const);
      const list = n[side];
      const j = rng.int(list.length);
      const name = rng.pick(['', 'nope', 'x', 'y', g.node[rng.int(g.node.length)]!.output[0]!, list[j] + ' ']);
      desc = `node ${i} ${side}[${j}] ${list[j]}->'${name}'`;
      list[j] = name;
      break;
    }
    case 5: {
      const op = rng.pick(['remove', 'duplicate', 'swap', 'reverse'] as const);
      const i = rng.int(g.node.length);
      if (op === 'remove') g.node.splice(i, 1);
      else if (op === 'duplicate') g.node.splice(i, 0, structuredClone(g.node[i]!));
      else if (op === 'swap') {
        const j = rng.int(g.node.length);
        [g.node[i], g.node[j]] = [g.node[j]!, g.node[i]!];
      } else g.node.reverse();
      desc = `nodes ${op} ${i}`;
      break;
    }
    case 6:
    case 7: {
      const withAttrs = g.node.filter((n) => n.attribute.length > 0);
      const n = rng.pick(withAttrs);
      const a = rng.pick(n.attribute);
      const op = rng.pick(['value', 'value', 'remove', 'type', 'unknown'] as const);
      if (op === 'remove') {
        n.attribute.splice(n.attribute.indexOf(a), 1);
        desc = `${n.name} attr ${a.name} removed`;
      } else if (op === 'type') {
        a.type = rng.pick([0, 1, 2, 3, 6, 7, 99]);
        desc = `${n.name} attr ${a.name} type=${a.type}`;
      } else if (op === 'unknown') {
        n.attribute.push({ ...structuredClone(a), name: 'fuzz_unknown' });
        desc = `${n.name} attr fuzz_unknown added`;
      } else {
        const v = rng.pick([0n, -1n, 2n, 5n, 1000n, 2n ** 31n, 2n ** 62n, -(2n ** 63n)]);
        if (a.ints.length > 0) {
          const k = rng.int(a.ints.length);
          a.ints[k] = v;
          if (rng.chance(0.3)) a.ints.push(1n);
          desc = `${n.name} attr ${a.name}[${k}]=${v}`;
        } else {
          a.i = v;
          desc = `${n.name} attr ${a.name}=${v}`;
        }
      }
      break;
    }
    case 8:
    case 9: {
      const t = rng.pick(g.initializer);
      const op = rng.pick(['dims', 'dtype', 'raw-short', 'remove', 'duplicate', 'rename', 'raw-flip', 'raw-flip'] as const);
      if (op === 'dims') {
        const k = rng.int(t.dims.length + 1);
        const v = rng.pick([0, 1, -1, 2, 1000, 0x7fffffff]);
        if (k === t.dims.length) t.dims.push(v);
        else t.dims[k] = v;
        desc = `init ${t.name} dims[${k}]=${v}`;
      } else if (op === 'dtype') {
        t.data_type = rng.pick([0, 2, 6, 7, 10, 11, 16, 100]);
        desc = `init ${t.name} data_type=${t.data_type}`;
      } else if (op === 'raw-short') {
        const raw = t.raw_data!;
        t.raw_data = raw.slice(0, rng.int(raw.length));
        desc = `init ${t.name} raw_data ${t.raw_data.length} of ${raw.length}`;
      } else if (op === 'remove') {
        g.initializer.splice(g.initializer.indexOf(t), 1);
        desc = `init ${t.name} removed`;
      } else if (op === 'duplicate') {
        g.initializer.push(structuredClone(t));
        desc = `init ${t.name} duplicated`;
      } else if (op === 'rename') {
        t.name = rng.pick(['', 'x', 'y', 'other']);
        desc = `init renamed '${t.name}'`;
      } else {
        // weights stay valid floats most of the time: the model should still run
        const raw = Uint8Array.from(t.raw_data!);
        const pos = rng.int(raw.length);
        raw[pos]! ^= 1 << rng.int(8);
        t.raw_data = raw;
        desc = `init ${t.name} raw_data flip @${pos}`;
      }
      break;
    }
    case 10: {
      const side = rng.pick(['input', 'output'] as const);
      const v = g[side][0]!;
      const tt = v.type?.tensor_type;
      const op = rng.pick(['elem', 'dim', 'rank', 'remove', 'rename', 'notype'] as const);
      if (op === 'elem' && tt) {
        tt.elem_type = rng.pick([0, 2, 6, 7, 10, 11, 16, 100]);
        desc = `${side} ${v.name} elem_type=${tt.elem_type}`;
      } else if (op === 'dim' && tt?.shape) {
        const k = rng.int(tt.shape.dim.length);
        const value = rng.pick([0, 1, 2, 5, -1, 0x7fffffff]);
        tt.shape.dim[k] = { dim_value: value } as (typeof tt.shape.dim)[number];
        desc = `${side} ${v.name} dim[${k}]=${value}`;
      } else if (op === 'rank' && tt?.shape) {
        if (rng.chance(0.5)) tt.shape.dim.pop();
        else tt.shape.dim.push({ dim_value: 1 } as (typeof tt.shape.dim)[number]);
        desc = `${side} ${v.name} rank=${tt.shape.dim.length}`;
      } else if (op === 'remove') {
        g[side].splice(0, 1);
        desc = `${side} ${v.name} removed`;
      } else if (op === 'rename') {
        v.name = rng.pick(['', 'z', '/Relu_output_0']);
        desc = `${side} renamed '${v.name}'`;
      } else {
        delete v.type;
        desc = `${side} ${v.name} without type`;
      }
      break;
    }
    case 11: {
      g.output.push({ name: rng.pick(['/Relu_output_0', 'nope', 'y', 'x']), metadata_props: [] } as unknown as (typeof g.output)[number]);
      desc = `extra output ${g.output.at(-1)!.name}`;
      break;
    }
    case 12: {
      // harmless metadata: must still work
      model.producer_name = 'fuzz\u0000\uffff';
      model.doc_string = 'x'.repeat(rng.int(1000));
      g.name = rng.pick(['', 'g', '\u00e9']);
      desc = 'metadata';
      break;
    }
    default: {
      desc = 'graph removed';
      delete model.graph;
      break;
    }
  }
  let out: Uint8Array;
  try {
    out = encodeModel(model);
  } catch {
    // the codec refused the edit (a value of the wrong type): fall back to a byte mutation
    return byteMutation(rng, bytes);
  }
  return { bytes: out, desc: `onnx ${desc}` };
}

// ---------------------------------------------------------------- JSON / YAML values

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Paths to every value of a JSON document (objects' keys and arrays' indices), the root excluded. */
export function jsonPaths(doc: Json, skip: (path: readonly (string | number)[]) => boolean = () => false): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (v: Json, path: (string | number)[]) => {
    if (path.length > 0 && !skip(path)) out.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) walk(v[k]!, [...path, k]);
  };
  walk(doc, []);
  return out;
}

/** Interesting replacement values: other types, huge, negative, fractional, empty, nested. */
const INTERESTING_VALUES: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1,
  0.5,
  -0.5,
  3,
  4,
  1e308,
  -1e308,
  1e21,
  2 ** 31,
  2 ** 53 + 2,
  65536,
  100000,
  '',
  'x',
  '0',
  '-1',
  'NaN',
  '../../../etc/passwd',
  '\u0000',
  'é'.repeat(300),
  [],
  [1],
  ['a', 'b'],
  {},
  { a: 1 },
];

/**
 * One value-level edit of a JSON document: replace a value (type, huge, negative, …), delete a key, add an unknown key.
 * @param skip - paths not to touch (e.g. the output folder of an experiment)
 */
export function jsonEdit(rng: Rng, doc: Json, skip?: (path: readonly (string | number)[]) => boolean): { doc: Json; desc: string } {
  const copy = structuredClone(doc);
  const paths = jsonPaths(copy, skip);
  const path = rng.pick(paths);
  const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string, Json>)[k as string]!, copy) as Record<string | number, Json>;
  const key = path.at(-1)!;
  const op = rng.int(10);
  const where = path.join('.');
  if (op === 0 && !Array.isArray(parent)) {
    delete parent[key];
    return { doc: copy, desc: `delete ${where}` };
  }
  if (op === 1 && !Array.isArray(parent)) {
    const k = rng.pick(['fuzz', '__proto__', 'constructor', '']);
    Object.defineProperty(parent, k, { value: rng.pick(INTERESTING_VALUES), enumerable: true, writable: true, configurable: true });
    return { doc: copy, desc: `add key ${where.split('.').slice(0, -1).join('.') || '<root>'}.${JSON.stringify(k)}` };
  }
  if (op === 2 && typeof parent[key] === 'number') {
    const n = parent[key] as number;
    const v = rng.pick([-n, n * 1000, n + 1, n - 1, n / 3, Math.round(n) * 2 ** 20, n * 1e300]);
    parent[key] = v;
    return { doc: copy, desc: `number ${where}=${v}` };
  }
  const v = rng.pick(INTERESTING_VALUES);
  parent[key] = structuredClone(v);
  return { doc: copy, desc: `set ${where}=${JSON.stringify(v)?.slice(0, 40)}` };
}

/** A small block-style YAML emitter (flow scalars as JSON, which is valid YAML). */
export function toYaml(doc: Json, indent = ''): string {
  if (Array.isArray(doc)) {
    if (doc.length === 0) return `${indent}[]\n`;
    return doc
      .map((v) => (v !== null && typeof v === 'object' && !(Array.isArray(v) && v.length === 0) && Object.keys(v).length > 0 ? `${indent}- ${toYaml(v, indent + '  ').trimStart()}` : `${indent}- ${JSON.stringify(v)}\n`))
      .join('');
  }
  if (doc !== null && typeof doc === 'object') {
    const keys = Object.keys(doc);
    if (keys.length === 0) return `${indent}{}\n`;
    return keys
      .map((k) => {
        const v = doc[k]!;
        const key = /^[A-Za-z_][\w-]*$/.test(k) ? k : JSON.stringify(k);
        if (v !== null && typeof v === 'object' && Object.keys(v).length > 0) return `${indent}${key}:\n${toYaml(v, indent + '  ')}`;
        return `${indent}${key}: ${JSON.stringify(v)}\n`;
      })
      .join('');
  }
  return `${indent}${JSON.stringify(doc)}\n`;
}

/** YAML-specific text edits: anchors and aliases, tags, duplicate keys, tabs, multi-documents, odd scalars. */
export function yamlTextEdit(rng: Rng, text: string): { text: string; desc: string } {
  const lines = text.split('\n');
  const which = rng.int(9);
  switch (which) {
    case 0: {
      // an alias bomb in an unknown key (billion laughs)
      const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
      for (let i = 1; i < 9; i++) bomb.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
      return { text: bomb.join('\n') + '\n' + text, desc: 'yaml alias bomb' };
    }
    case 1: {
      const i = rng.int(lines.length);
      lines.splice(i, 0, lines[i]!);
      return { text: lines.join('\n'), desc: `yaml duplicate line ${i + 1}` };
    }
    case 2: {
      const i = rng.int(lines.length);
      lines[i] = lines[i]!.replace(/^( *)/, (s) => '\t'.repeat(Math.max(1, s.length / 2)));
      return { text: lines.join('\n'), desc: `yaml tab indent line ${i + 1}` };
    }
    case 3: {
      const tag = rng.pick(['!!binary', '!!str', '!!int', '!!float', '!!set', '!!omap', '!custom', '!!js/function', '!!timestamp']);
      const i = rng.int(lines.length);
      lines[i] = lines[i]!.replace(/: (.+)$/, `: ${tag} $1`).replace(/^(\s*)- (.+)$/, `$1- ${tag} $2`);
      return { text: lines.join('\n'), desc: `yaml tag ${tag} line ${i + 1}` };
    }
    case 4:
      return { text: text + rng.pick(['---\nimages: []\n', '...\n', '---\n', '%YAML 1.2\n---\n']), desc: 'yaml multi-document' };
    case 5: {
      const v = rng.pick(['.inf', '-.inf', '.nan', '0x10', '0o17', '1_000', '~', 'yes', 'on', '2001-12-14', '1e400', '-0', '0b101', '"\\u0000"', '|\n  block', '>-\n  folded']);
      const candidates = lines.map((l, i) => [l, i] as const).filter(([l]) => /: .+$/.test(l) || /^\s*- .+$/.test(l));
      const [, i] = rng.pick(candidates);
      lines[i] = lines[i]!.replace(/: .+$/, `: ${v}`).replace(/^(\s*)- .+$/, `$1- ${v}`);
      return { text: lines.join('\n'), desc: `yaml scalar ${JSON.stringify(v)} line ${i + 1}` };
    }
    case 6:
      return { text: '\ufeff' + text.replace(/\n/g, rng.pick(['\r\n', '\r'])), desc: 'yaml BOM and CR line ends' };
    case 7: {
      const i = rng.int(lines.length);
      lines[i] = lines[i]! + rng.pick([' # comment', ' &anchor', ' *nope', ' : x', ' {', ' ]', ' "', " '"]);
      return { text: lines.join('\n'), desc: `yaml suffix line ${i + 1}: ${lines[i]!.slice(-10)}` };
    }
    default: {
      const depth = rng.pick([50, 500, 5000]);
      return { text: text + `seed: ${'['.repeat(depth)}${']'.repeat(depth)}\n`, desc: `yaml nesting ${depth}` };
    }
  }
}
