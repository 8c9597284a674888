/** Unit tests of the runtime's small parts: sessions, preprocessing, token sequences, KV caches, pooling. */
import os from 'node:os';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { GraphBuilder } from '../../../../src/engine/models/graph/graph-builder';
import { OnnxDataType } from '../../../../src/engine/models/graph/onnx-proto';
import { KvCache } from '../../../../src/engine/models/runtime/kv-cache';
import { preprocessImage } from '../../../../src/engine/models/runtime/preprocess';
import { createSession, resolveThreads } from '../../../../src/engine/models/runtime/session';
import { causalMask, causalRowMask, MASKED } from '../../../../src/engine/models/runtime/tensors';
import { TokenSequence } from '../../../../src/engine/models/runtime/token-sequence';
import { poolGrid } from '../../../../src/engine/models/runtime/vision';
import { tinyPreprocessor } from '../../../helpers/tiny-model';

describe('sessions', () => {
  it('default to one intra-op thread on ≤ 2 cores and never spin', () => {
    vi.spyOn(os, 'cpus').mockReturnValueOnce(Array(2).fill(os.cpus()[0]));
    expect(resolveThreads({})).toEqual({ intraOpThreads: 1, interOpThreads: 1, spinning: false });
    vi.spyOn(os, 'cpus').mockReturnValueOnce(Array(16).fill(os.cpus()[0]));
    expect(resolveThreads({}).intraOpThreads).toBe(0);
    expect(resolveThreads({ intraOpThreads: 3 }).intraOpThreads).toBe(3);
    vi.restoreAllMocks();
  });

  it('fall back along the provider list and report which one ran', async () => {
    const g = new GraphBuilder('identity');
    g.output(g.input('x', OnnxDataType.FLOAT, [1]), 'y', OnnxDataType.FLOAT, [1]);
    const bytes = g.toBytes();
    const ok = await createSession(bytes, 'identity', { providers: ['cuda', 'cpu'] });
    expect(ok.provider).toBe('cpu');
    await expect(createSession(new Uint8Array([1, 2, 3]), 'broken', { providers: ['cpu'] })).rejects.toThrow(/graph 'broken'.*cpu:/);
  });
});

describe('preprocessImage', () => {
  it('normalises a solid colour exactly and returns CHW at the crop size', async () => {
    const pre = tinyPreprocessor(32);
    const png = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 255, g: 0, b: 128 } } }).png().toBuffer();
    const x = await preprocessImage(png, pre);
    expect(x.length).toBe(3 * 32 * 32);
    const expected = [255, 0, 128].map((v, c) => (v / 255 - pre.imageMean[c]!) / pre.imageStd[c]!);
    for (let c = 0; c < 3; c++) expect(x[c * 1024 + 517]).toBeCloseTo(expected[c]!, 5);
  });

  it('center-crops after resizing the shortest edge (left/right halves differ in a split image)', async () => {
    // 96×32: left third black, middle white, right third black → after crop only the white middle remains.
    const px = Buffer.alloc(96 * 32 * 3);
    for (let y = 0; y < 32; y++) for (let xx = 32; xx < 64; xx++) px.fill(255, (y * 96 + xx) * 3, (y * 96 + xx) * 3 + 3);
    const png = await sharp(px, { raw: { width: 96, height: 32, channels: 3 } }).png().toBuffer();
    const x = await preprocessImage(png, { ...tinyPreprocessor(32), doNormalize: false });
    expect(x[16 * 32 + 16]).toBeCloseTo(1, 2);
    expect(x[16 * 32 + 2]).toBeGreaterThan(0.9);
  });

  it('names the input when it is not an image', async () => {
    await expect(preprocessImage(Buffer.from('not an image'), tinyPreprocessor())).rejects.toThrow(/<12 bytes>.*could not be read/);
  });
});

describe('TokenSequence', () => {
  it('gathers rows with their positions, sources and visual flags', () => {
    const seq = new TokenSequence(Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]), 2, Uint8Array.from([0, 1, 1, 1, 0]));
    expect(seq.visualSpan()).toEqual({ start: 1, count: 3 });
    seq.gather([0, 1, 3, 4]);
    expect(Array.from(seq.hidden)).toEqual([0, 0, 1, 1, 3, 3, 4, 4]);
    expect(seq.positions).toEqual([0, 1, 3, 4]);
    expect(Array.from(seq.sources)).toEqual([0, 1, 3, 4]);
    expect(seq.visualSpan()).toEqual({ start: 1, count: 2 });
    seq.compactPositions();
    expect(seq.positions).toEqual([0, 1, 2, 3]);
    expect(() => seq.gather([1, 0, 2])).toThrow(/contiguous/);
    expect(() => new TokenSequence(new Float32Array(4), 2, Uint8Array.from([0, 1])).gather([2])).toThrow(/outside 0\.\.1/);
  });
});

describe('KvCache', () => {
  it('gathers slots of one layer across heads', () => {
    // 2 kv heads, 3 slots, head dim 1: head h slot s holds 10h + s.
    const key = Float32Array.from([0, 1, 2, 10, 11, 12]);
    const cache = new KvCache([{ key, value: key.map((v) => -v), length: 3, positions: [0, 1, 2], sources: Int32Array.from([0, 1, 2]), nextPosition: 3 }], 2, 1);
    cache.gather(0, [0, 2]);
    const c = cache.layer(0);
    expect(Array.from(c.key)).toEqual([0, 2, 10, 12]);
    expect(Array.from(c.value)).toEqual([-0, -2, -10, -12]);
    expect(c.positions).toEqual([0, 2]);
    expect(c.length).toBe(2);
    expect(c.nextPosition).toBe(3);
    expect(() => cache.layer(1)).toThrow(/no layer 1/);
  });
});

describe('masks and pooling', () => {
  it('causal masks hide future keys only', () => {
    expect(Array.from(causalMask(2, 1))).toEqual([0, 0, MASKED, 0, 0, 0]);
    expect(Array.from(causalRowMask([0, 2], 3))).toEqual([0, MASKED, MASKED, 0, 0, 0]);
  });

  it('poolGrid averages (or maxes) s×s windows, flooring odd edges', () => {
    const x = Float32Array.from({ length: 9 }, (_, i) => i); // 3×3, D = 1
    expect(Array.from(poolGrid(x, 3, 3, 1, 2, 'average').data)).toEqual([(0 + 1 + 3 + 4) / 4]);
    expect(Array.from(poolGrid(x, 3, 3, 1, 2, 'max').data)).toEqual([4]);
  });
});
