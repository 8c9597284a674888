/**
 * Integration: the bundled reference model (models/reference, exported by training) evaluated on
 * the first 16 images and 4 videos of shapes:test, through the same code as `tokenlab eval`, and
 * answering through the contract (model:list → model:load → media:importPath → run:start).
 * The test split's items depend only on its seed and their index, so generating 16 + 4 items
 * with the split's seed gives exactly those samples without generating all 1400.
 * Accuracy is reported, not asserted: its figures belong in the model card.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../src/engine/api/appRoot';
import { locateFfmpeg } from '../../src/engine/api/ffmpeg';
import { createMediaHandlers } from '../../src/engine/api/media';
import { createModelHandlers, createModelState } from '../../src/engine/api/models';
import { createRunHandlers } from '../../src/engine/api/runs';
import { generateBenchmark } from '../../src/engine/bench/benchWriter';
import { loadBenchmark, mediaPaths } from '../../src/engine/bench/loader';
import { SPLIT_DEFAULTS } from '../../src/engine/bench/splits';
import { evaluate } from '../../src/engine/eval/evaluate';
import { MediaStore } from '../../src/engine/media/store';
import { loadModel } from '../../src/engine/models/checkpoint/load';
import { VlmRuntime } from '../../src/engine/models/runtime/vlm';
import { parseResponse, type CallContext } from '../../src/shared/api';

const referenceDir = join(appRoot(), 'models', 'reference');
const present = existsSync(join(referenceDir, 'config.json'));
const tmp = mkdtempSync(join(tmpdir(), 'tokenlab-reference-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const context: CallContext = { signal: new AbortController().signal, progress: () => {} };

describe.skipIf(!present)('the bundled reference model', () => {
  it('evaluates 20 shapes:test samples (images and videos) with consistent figures', { timeout: 600_000 }, async () => {
    const videos = locateFfmpeg() ? 4 : 0;
    const benchDir = join(tmp, 'shapes-test-head');
    await generateBenchmark({ out: benchDir, seed: SPLIT_DEFAULTS.test.seed, images: 20 - videos, videos, name: 'shapes:test (first items)', split: 'test' });
    const bench = loadBenchmark(benchDir);
    const model = await loadModel(referenceDir);
    const rt = new VlmRuntime(model);
    try {
      const report = await evaluate(rt, bench);
      expect(report.n).toBe(20);
      expect(report.accuracy).toBeGreaterThanOrEqual(0);
      expect(report.accuracy).toBeLessThanOrEqual(1);
      expect(Object.values(report.byType).reduce((a, c) => a + c.n, 0)).toBe(20);
      if (videos) expect(report.byKind.video?.n).toBe(videos);
      const types = Object.entries(report.byType).map(([t, c]) => `${t} ${c.correct}/${c.n} (majority ${(100 * c.majority).toFixed(0)}%)`);
      console.log(`reference on 20 shapes:test samples: accuracy ${(100 * report.accuracy).toFixed(1)}%, ${types.join(', ')}; ${report.meanLatencyMs.total!.toFixed(1)} ms/sample on ${rt.provider}`);
    } finally {
      await rt.dispose();
      model.weights.close();
    }
  });

  it('answers through the contract: listed ok, loaded, run:start on a benchmark image', { timeout: 300_000 }, async () => {
    const state = createModelState({ envModels: '' });
    const media = new MediaStore();
    const h = { ...createMediaHandlers(media), ...createModelHandlers(state), ...createRunHandlers(state, media) };
    try {
      const listed = (await h['model:list']({}, context)).find((m) => m.id === 'reference');
      expect(listed).toMatchObject({ state: 'ok', bundled: true });
      const loaded = await h['model:load']({ modelId: 'reference' }, context);
      expect(loaded.digest?.visualTokensPerImage).toBe(loaded.digest!.grid.rows * loaded.digest!.grid.cols);
      const bench = loadBenchmark(join(tmp, 'shapes-test-head'));
      const sample = bench.samples.find((s) => s.media.kind === 'image')!;
      const item = await h['media:importPath']({ path: mediaPaths(bench, sample).path }, context);
      const res = parseResponse('run:start', await h['run:start']({ mediaId: item.id, question: sample.question, expectedAnswer: sample.answer, repeats: 3, warmup: 1 }, context));
      const r = res.results[0]!;
      expect(typeof r.correct).toBe('boolean');
      expect(res.grid.visualTokens).toBe(loaded.digest!.visualTokensPerImage);
      expect(r.tokenCounts.decoderVisual.every((n) => n === res.grid.visualTokens)).toBe(true);
      expect(r.flops.total).toBeGreaterThan(0);
      console.log(`reference run:start: "${sample.question}" → "${r.answer}" (expected "${sample.answer}"), p=${r.firstToken.prob.toFixed(3)}, ${(r.flops.total / 1e9).toFixed(3)} GFLOPs, median ${r.latency.total!.median.toFixed(1)} ms on ${r.provider}`);
    } finally {
      await state.cache.clear();
    }
  });
});
