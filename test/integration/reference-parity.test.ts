/**
 * Parity of the engine with PyTorch on the bundled reference model (issue 4, item 5).
 * test/fixtures/reference-parity.json holds PyTorch's last-prompt-position logits for three
 * shapes:test images and one video (written by models/reference/train/parity.py). The engine
 * regenerates those samples from the split's seed and must match every logit within the
 * fixture's tolerance (1e-3). It guards the whole path: preprocessing, ViT, feature layer,
 * video pooling, projector, prompt layout and the RoPE decoder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../src/engine/api/appRoot';
import { locateFfmpeg } from '../../src/engine/api/ffmpeg';
import { generateBenchmark } from '../../src/engine/bench/benchWriter';
import { loadBenchmark, mediaPaths } from '../../src/engine/bench/loader';
import { SPLIT_DEFAULTS } from '../../src/engine/bench/splits';
import { loadModel } from '../../src/engine/models/checkpoint/load';
import { VlmRuntime } from '../../src/engine/models/runtime/vlm';

interface ParitySample {
  id: string;
  kind: 'image' | 'video';
  question: string;
  promptIds: { before: number[]; visualTokens: number; after: number[] };
  lastLogits: number[];
}
interface ParityFixture {
  modelSha256: string;
  tolerance: number;
  samples: ParitySample[];
}

const root = appRoot();
const referenceDir = join(root, 'models', 'reference');
const fixture = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'reference-parity.json'), 'utf8')) as ParityFixture;
const present = existsSync(join(referenceDir, 'model.safetensors'));
const tmp = mkdtempSync(join(tmpdir(), 'tokenlab-parity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function indexOf(id: string): number {
  return Number(id.slice(id.indexOf('-') + 1));
}

describe.skipIf(!present)('engine vs PyTorch on models/reference', () => {
  it('the fixture was written for the committed weights', () => {
    const digest = createHash('sha256').update(readFileSync(join(referenceDir, 'model.safetensors'))).digest('hex');
    // A stale fixture would make the comparison meaningless: re-run parity.py after every export.
    expect(digest, 'models/reference changed since the fixture was written; run models/reference/train/parity.py').toBe(fixture.modelSha256);
  });

  it('matches PyTorch logits within the fixture tolerance', { timeout: 300_000 }, async () => {
    const hasFfmpeg = !!locateFfmpeg();
    if (!hasFfmpeg && process.env.CI) throw new Error('ffmpeg is required on CI to regenerate the video sample');
    const images = Math.max(...fixture.samples.filter((s) => s.kind === 'image').map((s) => indexOf(s.id))) + 1;
    const videos = hasFfmpeg ? Math.max(0, ...fixture.samples.filter((s) => s.kind === 'video').map((s) => indexOf(s.id) + 1)) : 0;
    const benchDir = join(tmp, 'bench');
    await generateBenchmark({ out: benchDir, seed: SPLIT_DEFAULTS.test.seed, images, videos, split: 'test' });
    const bench = loadBenchmark(benchDir);
    const model = await loadModel(referenceDir);
    const rt = new VlmRuntime(model);
    const checked: string[] = [];
    for (const expected of fixture.samples) {
      if (expected.kind === 'video' && !hasFfmpeg) continue;
      const sample = bench.samples.find((s) => s.id === expected.id);
      expect(sample, `${expected.id} regenerated from the test split's seed`).toBeDefined();
      if (!sample) continue;
      expect(sample.question).toBe(expected.question);
      const prompt = model.prompt(expected.question);
      expect(prompt.before).toEqual(expected.promptIds.before);
      expect(prompt.after).toEqual(expected.promptIds.after);
      const media = mediaPaths(bench, sample);
      const result = await rt.answer({ images: media.frames ?? [media.path], question: expected.question, maxNewTokens: 1 });
      expect(result.layout.visualIds.length).toBe(expected.promptIds.visualTokens);
      const logits = result.firstToken.logits;
      expect(logits.length).toBe(expected.lastLogits.length);
      let maxDiff = 0;
      for (let i = 0; i < logits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(logits[i]! - expected.lastLogits[i]!));
      expect(maxDiff, `${expected.id}: max |engine − PyTorch| logit`).toBeLessThanOrEqual(fixture.tolerance);
      checked.push(`${expected.id} ${maxDiff.toExponential(1)}`);
    }
    console.log(`[parity] max |diff| per sample: ${checked.join(', ')}`);
    expect(checked.length).toBeGreaterThanOrEqual(3);
  });
});
