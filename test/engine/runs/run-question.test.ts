/**
 * runQuestion's progress hooks: they must not split prefill into more session runs than the
 * method's own hooks need (the lab measures the prefill the bench does), and still report the
 * start and end of prefill and every run of layers a method stops after.
 */
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { VlmRuntime } from '../../../src/engine/models/runtime/vlm';
import { runQuestion, type RunProgress } from '../../../src/engine/runs/run-question';
import { seededRandom, tinyModel } from '../../helpers/tiny-model';

const model = tinyModel({ seed: 5, visionLayers: 4, textLayers: 8 });
const fused = new VlmRuntime(model, { intraOpThreads: 1, prefill: 'fused' });
const perLayer = new VlmRuntime(model, { intraOpThreads: 1, prefill: 'per-layer' });
afterAll(async () => {
  await fused.dispose();
  await perLayer.dispose();
});

async function png(): Promise<Buffer> {
  const rand = seededRandom(3);
  return sharp(Buffer.from(Array.from({ length: 32 * 32 * 3 }, () => Math.floor(rand() * 256))), { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer();
}

/** The prefill progress events of one run (their layers are where prefill ended a fused run of layers) and its results. */
async function prefillEvents(rt: VlmRuntime, methods: { id: string; retention: number; params?: Record<string, unknown> }[]) {
  const events: RunProgress[] = [];
  const r = await runQuestion(rt, { images: [await png()], question: 'which shape is red?', methods, maxNewTokens: 2, onProgress: (p) => void (p.phase === 'prefill' && events.push(p)) });
  return { events, results: r.results };
}

describe('runQuestion progress', () => {
  it('fused prefill: the unpruned pass is one run of layers, FastV two; start and ends reported', async () => {
    const { events, results } = await prefillEvents(fused, [{ id: 'fastv', retention: 0.5, params: { k: 2 } }]);
    expect(events.map((e) => e.message)).toEqual([
      'none: run 1/1: prefill',
      'none: run 1/1: decoder layers 1–8/8',
      'fastv: run 1/1: prefill',
      'fastv: run 1/1: decoder layers 1–2/8',
      'fastv: run 1/1: decoder layers 3–8/8',
    ]);
    expect(events.map((e) => e.done)).toEqual([0, 8, 0, 2, 8]);
    expect(results).toHaveLength(2);
  });

  it('per-layer prefill reports every layer', async () => {
    const { events } = await prefillEvents(perLayer, []);
    expect(events.map((e) => e.done)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events.at(-1)!.message).toBe('none: run 1/1: decoder layer 8/8');
  });
});
