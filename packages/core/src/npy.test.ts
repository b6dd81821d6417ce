import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, parseNpy, readNpy, writeNpy } from './npy.js';
import { tensor } from '@envision/onnx-grad';

// A numpy-written file: np.save(f, np.arange(6, dtype='<f4').reshape(2, 3)) — header bytes written out by hand.
function numpyBytes(descr: string, shape: string, body: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}

describe('npy', () => {
  it('reads a numpy float32 file written by hand', () => {
    const body = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer);
    const t = parseNpy(numpyBytes('<f4', '(2, 3)', body));
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 3]);
    expect([...t.data]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('round-trips float32, float64 and int64 of any rank, including scalars and empty arrays', () => {
    const cases = [
      tensor('float32', [2, 1, 3], new Float32Array([1.5, -2, 3, 4, 5, 6])),
      tensor('float64', [4], new Float64Array([Math.PI, -1e300, 0, 1])),
      tensor('int64', [2, 2], new BigInt64Array([1n, -2n, 3n, 9007199254740993n])),
      tensor('float32', [], new Float32Array([7])),
      tensor('float32', [0, 5], new Float32Array(0)),
    ];
    for (const t of cases) {
      const bytes = encodeNpy(t);
      expect((10 + new DataView(bytes.buffer).getUint16(8, true)) % 64).toBe(0);
      const back = parseNpy(bytes);
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect([...back.data]).toEqual([...t.data]);
    }
  });

  it('writes the header numpy writes for a 1-d array: shape (n,)', () => {
    const text = new TextDecoder().decode(encodeNpy(tensor('float32', [3], new Float32Array(3))).subarray(10, 128));
    expect(text).toContain("'shape': (3,)");
  });

  it('rejects bad magic, unsupported dtypes, Fortran order and wrong data lengths with the file name', () => {
    expect(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), 'a.npy')).toThrow(/a\.npy: not a valid npy file: missing/);
    const body = new Uint8Array(8);
    expect(() => parseNpy(numpyBytes('<i4', '(2,)', body), 'b.npy')).toThrow(/dtype '<i4' is not supported/);
    expect(() => parseNpy(numpyBytes('>f4', '(2,)', body), 'c.npy')).toThrow(/dtype '>f4' is not supported/);
    const fortran = numpyBytes('<f4', '(2,)', body);
    fortran.set(new TextEncoder().encode("True, "), fortran.indexOf(0x46));
    expect(() => parseNpy(fortran, 'd.npy')).toThrow(/Fortran order/);
    expect(() => parseNpy(numpyBytes('<f4', '(3,)', body), 'e.npy')).toThrow(/needs 12 data bytes, file has 8/);
  });

  it('writes atomically and reads back from disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npy-'));
    const t = tensor('float32', [2, 2], new Float32Array([1, 2, 3, 4]));
    await writeNpy(join(dir, 'sub', 'x.npy'), t);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['x.npy']);
    expect([...(await readNpy(join(dir, 'sub', 'x.npy'))).data]).toEqual([1, 2, 3, 4]);
    expect(readFileSync(join(dir, 'sub', 'x.npy')).length).toBe(128 + 16); // 10 + 60-byte dict + newline, padded to 128
    await expect(readNpy(join(dir, 'missing.npy'))).rejects.toThrow(/cannot read .*missing\.npy/);
  });
});
