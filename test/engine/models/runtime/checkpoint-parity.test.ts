/**
 * Parity on real tiny checkpoint folders (written by the loader's writeTinyCheckpoint into temp
 * dirs): plain, GQA, sharded F16 and tied-head models, loaded through loadModel, run by the engine
 * and by the float64 reference from the same loaded weights.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../../src/engine/models/checkpoint/load';
import { writeTinyCheckpoint, type TinyCheckpointOptions } from '../../../../src/engine/models/checkpoint/write';
import { decodeGreedy, decodeWithoutCache } from '../../../../src/engine/models/runtime/decode';
import { prefill, spliceSequence } from '../../../../src/engine/models/runtime/prefill';
import { preprocessImage } from '../../../../src/engine/models/runtime/preprocess';
import { encodeVisual } from '../../../../src/engine/models/runtime/vision';
import { VlmRuntime } from '../../../../src/engine/models/runtime/vlm';
import { maxAbsDiff } from '../../../helpers/reference/math';
import { greedyRef, lastLogitsRef, promptEmbedsRef, visualEmbedsRef } from '../../../helpers/reference/model';
import { seededRandom } from '../../../helpers/tiny-model';

const root = mkdtempSync(join(tmpdir(), 'tokenlab-parity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cases: Array<{ name: string; options: TinyCheckpointOptions }> = [
  { name: 'plain', options: { seed: 3, vision: { numLayers: 3 }, text: { numLayers: 3 } } },
  { name: 'GQA', options: { seed: 4, text: { numHeads: 4, numKvHeads: 2, numLayers: 2 } } },
  { name: 'sharded F16, tied head, full features', options: { seed: 5, shards: 3, dtype: 'F16', tieWordEmbeddings: true, visionFeatureSelectStrategy: 'full', visionFeatureLayer: -1 } },
];

describe.each(cases)('tiny checkpoint: $name', ({ name, options }) => {
  it('loads, matches the float64 reference (≤ 1e-4) and decodes the same with and without the KV cache', async () => {
    const dir = join(root, name.replace(/\W+/g, '-'));
    writeTinyCheckpoint(dir, options);
    const model = await loadModel(dir);
    const rt = new VlmRuntime(model, { intraOpThreads: 1 });
    try {
      const rand = seededRandom(options.seed ?? 1);
      const png = await sharp(Buffer.from(Array.from({ length: 48 * 40 * 3 }, () => Math.floor(rand() * 256))), { raw: { width: 48, height: 40, channels: 3 } }).png().toBuffer();
      const pixels = await preprocessImage(png, model.preprocessor);
      const visual = await encodeVisual(rt.graphs, [pixels]);
      const ref = visualEmbedsRef(model, pixels);
      expect(maxAbsDiff(visual.embeds, ref.embeds)).toBeLessThan(1e-4);

      const question = 'what color is the circle';
      const parts = model.prompt(question);
      const { seq, layout } = spliceSequence(rt.embeddings(), model.config.text, parts.before, visual.embeds, visual.ids, parts.after);
      const promptEmbeds = seq.hidden.slice();
      const pf = await prefill(rt.graphs, seq, layout);
      const refPrompt = promptEmbedsRef(model, ref.embeds, question);
      expect(maxAbsDiff(pf.lastLogits, lastLogitsRef(model, refPrompt))).toBeLessThan(1e-4);

      const opts = { maxNewTokens: 6, stopIds: [] };
      const cached = await decodeGreedy(rt.graphs, rt.embeddings(), pf.cache, pf.lastLogits, opts);
      expect(cached.ids).toEqual(await decodeWithoutCache(rt.graphs, rt.embeddings(), promptEmbeds, opts));
      expect(cached.ids).toEqual(greedyRef(model, refPrompt, 6));

      // The public entry point, from an image file.
      const file = join(dir, 'image.png');
      writeFileSync(file, png);
      const answer = await rt.answer({ images: [file], question, maxNewTokens: 6 });
      expect(answer.firstToken.id).toBe(cached.ids[0]);
      expect(typeof answer.answer).toBe('string');
    } finally {
      await rt.dispose();
      model.weights.close();
    }
  });
});
