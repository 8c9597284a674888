import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeToFloat32, encodeFromFloat32, roundTripThrough } from '../../../../src/engine/models/checkpoint/dtypes';
import { CheckpointError } from '../../../../src/engine/models/checkpoint/errors';
import { SafetensorsStore, readSafetensorsHeader } from '../../../../src/engine/models/checkpoint/safetensors';
import { writeSafetensors } from '../../../../src/engine/models/checkpoint/write';

const tmp = mkdtempSync(join(tmpdir(), 'tokenlab-st-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function bitsOf(values: number[], dtype: 'F16' | 'BF16'): number[] {
  return [...new Uint16Array(encodeFromFloat32(new Float32Array(values), dtype).buffer)];
}

function storeFor(file: string): SafetensorsStore {
  const store = new SafetensorsStore(file);
  for (const loc of readSafetensorsHeader(file)) store.add(loc.fileName, loc);
  return store;
}

function caught(fn: () => unknown): CheckpointError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CheckpointError) return err;
    throw err;
  }
  throw new Error('expected a CheckpointError');
}

describe('float16 / bfloat16 conversion', () => {
  it('encodes known values with round-to-nearest-even, as torch does', () => {
    // 1, -2, max half, overflow, smallest subnormal, 1/3, ties at 1 + 2^-11 (down to even) and 1 + 3·2^-11 (up to even).
    expect(bitsOf([1, -2, 65504, 65520, 2 ** -24, 1 / 3, 1 + 2 ** -11, 1 + 3 * 2 ** -11], 'F16'))
      .toEqual([0x3c00, 0xc000, 0x7bff, 0x7c00, 0x0001, 0x3555, 0x3c00, 0x3c02]);
    expect(bitsOf([1, Math.PI, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -Infinity], 'BF16')).toEqual([0x3f80, 0x4049, 0x3f80, 0x3f82, 0xff80]);
    expect(Number.isNaN(roundTripThrough(new Float32Array([NaN]), 'F16')[0])).toBe(true);
    expect(Number.isNaN(roundTripThrough(new Float32Array([NaN]), 'BF16')[0])).toBe(true);
  });

  it('decodes every finite half exactly back to itself', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const floats = decodeToFloat32(new Uint8Array(all.buffer), 'F16');
    const again = new Uint16Array(encodeFromFloat32(floats, 'F16').buffer);
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00 && h & 0x3ff) continue; // NaN payloads are not preserved
      if (again[h] !== h) throw new Error(`half 0x${h.toString(16)} round-tripped to 0x${again[h]?.toString(16)}`);
    }
  });
});

describe('safetensors files', () => {
  const values = new Float32Array([0.1, -2.5, 3.25, 1e-3, 7, -0.0625]);

  it.each(['F32', 'F16', 'BF16'] as const)('round-trips %s, reading only the requested tensor', (dtype) => {
    const file = join(tmp, `rt-${dtype}.safetensors`);
    writeSafetensors(file, { a: { shape: [2, 3], data: values }, b: { shape: [1], data: new Float32Array([9]) } }, dtype);
    const header = readSafetensorsHeader(file);
    expect(header.map((l) => [l.fileName, l.dtype, l.shape])).toEqual([['a', dtype, [2, 3]], ['b', dtype, [1]]]);
    // The header is padded so the data starts at a multiple of 8, as the safetensors library writes it.
    expect((header[0]?.offset ?? 1) % 8).toBe(0);
    const store = storeFor(file);
    expect([...store.get('a', [2, 3])]).toEqual([...roundTripThrough(values, dtype)]);
    expect(store.info('b')).toEqual({ name: 'b', dtype, shape: [1], file });
    store.close();
  });

  it('reports a truncated file naming the file and the first tensor past the end', () => {
    const file = join(tmp, 'cut.safetensors');
    writeSafetensors(file, { first: { shape: [4], data: new Float32Array(4) }, second: { shape: [64], data: new Float32Array(64) } });
    truncateSync(file, readFileSync(file).length - 10);
    const e = caught(() => readSafetensorsHeader(file));
    expect(e).toMatchObject({ kind: 'truncated', file, tensor: 'second' });
    expect(e.message).toMatch(/cut\.safetensors, tensor second: data ends at byte \d+ but the file has only \d+ bytes/);
    truncateSync(file, 20);
    expect(caught(() => readSafetensorsHeader(file)).reason).toMatch(/header needs \d+ bytes but the file has 20 bytes/);
    truncateSync(file, 3);
    expect(caught(() => readSafetensorsHeader(file)).kind).toBe('truncated');
  });

  it('rejects malformed headers', () => {
    const file = join(tmp, 'bad.safetensors');
    const withHeader = (json: string): void => {
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(json.length));
      writeFileSync(file, Buffer.concat([length, Buffer.from(json), Buffer.alloc(64)]));
    };
    withHeader('{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]');
    expect(caught(() => readSafetensorsHeader(file))).toMatchObject({ kind: 'bad-header' });
    withHeader('{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}');
    expect(caught(() => readSafetensorsHeader(file)).message).toMatch(/tensor a: data_offsets span 8 bytes but F32\[3\] needs 12/);
    withHeader('{"a": {"dtype": "Q4", "shape": [2], "data_offsets": [0, 8]}}');
    expect(caught(() => readSafetensorsHeader(file)).reason).toMatch(/unknown dtype "Q4"/);
    writeFileSync(file, Buffer.from('this is a text file, not safetensors at all'));
    expect(caught(() => readSafetensorsHeader(file)).reason).toMatch(/implausible/);
  });

  it('refuses unsupported dtypes, wrong shapes and NaN/Inf, naming file and tensor', () => {
    const file = join(tmp, 'checks.safetensors');
    writeSafetensors(file, { w: { shape: [2, 2], data: new Float32Array([1, NaN, 2, Infinity]) }, ok: { shape: [2, 2], data: values.slice(0, 4) } });
    const store = storeFor(file);
    const nan = caught(() => store.get('w'));
    expect(nan).toMatchObject({ kind: 'non-finite', file, tensor: 'w' });
    expect(nan.reason).toBe('2 of 4 values are NaN or Inf (first at flat index 1: NaN)');
    expect(caught(() => store.get('ok', [4]))).toMatchObject({ kind: 'wrong-shape', tensor: 'ok', reason: 'shape is [2, 2] but config.json implies [4]' });
    expect(caught(() => store.get('nope'))).toMatchObject({ kind: 'missing-tensor', file, tensor: 'nope' });
    store.close();

    const ints = join(tmp, 'ints.safetensors');
    const json = JSON.stringify({ ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } });
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    writeFileSync(ints, Buffer.concat([length, Buffer.from(json), Buffer.alloc(8)]));
    expect(caught(() => storeFor(ints).get('ids'))).toMatchObject({ kind: 'bad-dtype', tensor: 'ids' });
  });
});
