/**
 * run:start with compression methods, on a tiny random checkpoint (2 decoder layers, 4×4 grid):
 * the baseline first, one result per method with its PruningReport, FLOPs from the counts the
 * trace recorded (plus the method's overhead), fidelity to the baseline, and a method at
 * retention 1 that is the unpruned model exactly.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaHandlers } from '../../../src/engine/api/media';
import { createModelState, type ModelState } from '../../../src/engine/api/models';
import { createRunHandlers } from '../../../src/engine/api/runs';
import { MediaStore } from '../../../src/engine/media/store';
import { writeTinyCheckpoint } from '../../../src/engine/models/checkpoint/write';
import { parseResponse, type CallContext } from '../../../src/shared/api';
import type { TaskProgress } from '../../../src/shared/schemas/app';
import { solidImage } from '../media/fixtures';

let root = '';
let state: ModelState;
let handlers: ReturnType<typeof createRunHandlers> & ReturnType<typeof createMediaHandlers>;
let imageId = '';

function context(): CallContext & { events: TaskProgress[] } {
  const events: TaskProgress[] = [];
  return { signal: new AbortController().signal, events, progress: (p) => void events.push(p) };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tokenlab-run-methods-'));
  writeTinyCheckpoint(join(root, 'models', 'reference'), { seed: 3 });
  state = createModelState({ root, envModels: '', runtime: { providers: ['cpu'], intraOpThreads: 1 } });
  const media = new MediaStore();
  handlers = { ...createMediaHandlers(media), ...createRunHandlers(state, media) };
  imageId = (await handlers['media:import']({ name: 'mix.png', data: await solidImage('png', 64, 48, '#2050d0') }, context())).id;
});
afterAll(async () => {
  await state.cache.clear();
  rmSync(root, { recursive: true, force: true });
});

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('run:start with methods', () => {
  it('returns the baseline then one result per method, with traces that match the FLOPs counts', async () => {
    const ctx = context();
    const raw = await handlers['run:start']({
      mediaId: imageId, question: 'What colour is the shape?', expectedAnswer: 'blue', maxNewTokens: 3, warmup: 1, repeats: 2,
      methods: [{ id: 'fastv', retention: 0.5 }, { id: 'divprune', retention: 1 }],
    }, ctx);
    const res = parseResponse('run:start', raw);
    expect(res.results.map((r) => r.method)).toEqual(['none', 'fastv', 'divprune']);
    const [base, fastv, div] = res.results as [typeof res.results[0], typeof res.results[0], typeof res.results[0]];
    expect(base.pruning).toBeUndefined();
    expect(base.retention).toBeUndefined();
    expect(base.flopsRatio).toBe(1);
    expect(base.equivalentTokens).toBe(16);

    for (const r of [fastv, div]) {
      expect(typeof r.correct).toBe('boolean');
      expect(r.fidelity).toBeDefined();
      const trace = r.pruning!.trace;
      // The trace's per-layer counts are the counts the FLOPs were computed from.
      expect(trace.layers.map((l) => l.total)).toEqual(r.flops.prefill.tokensPerLayer);
      expect(trace.layers.map((l) => l.visual)).toEqual(r.tokenCounts.decoderVisual);
      expect(r.equivalentTokens).toBeCloseTo(mean(r.tokenCounts.decoderVisual), 12);
      expect(r.pruning!.equivalentTokens).toBe(r.equivalentTokens);
      expect(r.flopsRatio).toBeCloseTo(r.flops.total / base.flops.total, 12);
      for (const phase of ['vision', 'prefill', 'decode', 'total']) expect(r.latency[phase]?.samples).toBe(2);
    }

    // FastV at 0.5 keeps 8 of 16 after its layer; its attention probe is counted as overhead.
    expect(fastv.retention).toBe(0.5);
    expect(fastv.pruning!.achievedRetention).toBe(0.5);
    expect(fastv.tokenCounts.decoderVisual).toEqual([16, 8]);
    expect(fastv.params.k).toBe(1);
    expect(fastv.flops.extra.items.some((i) => i.label.startsWith('fastv: probes'))).toBe(true);
    expect(fastv.flopsRatio).toBeLessThan(1);

    // Retention 1 is the unpruned model: identical answer and first-token distribution, same FLOPs.
    expect(div.answer).toBe(base.answer);
    expect(div.fidelity).toEqual({ sameAnswer: true, top1Agree: true, klFirstToken: 0, logProbChange: 0 });
    expect(div.flopsRatio).toBe(1);
    expect(div.pruning!.trace.steps).toEqual([]);

    // Every pass (warm-up included) reported progress under its method's name.
    const labels = ctx.events.map((e) => e.message);
    expect(labels.some((m) => !!m?.startsWith('fastv: warm-up 1/1'))).toBe(true);
    expect(labels.some((m) => !!m?.startsWith('divprune: run 2/2'))).toBe(true);
  });

  it('repeated passes of a stateful method agree (a fresh bind per pass)', async () => {
    const res = await handlers['run:start']({ mediaId: imageId, question: 'Which shape?', maxNewTokens: 2, repeats: 3, methods: [{ id: 'pdrop', retention: 0.5 }, { id: 'random', retention: 0.25, seed: 4 }] }, context());
    expect(res.results).toHaveLength(3);
    expect(res.results[2]!.pruning!.trace.steps[0]!.order).toHaveLength(4);
    expect(res.results[2]!.pruning!.params).toEqual(res.results[2]!.params);
  });

  it('counts each method\'s declared overhead: FastV\'s attention row, DivPrune\'s pairwise cosines', async () => {
    const res = await handlers['run:start']({ mediaId: imageId, question: 'Which shape?', maxNewTokens: 2, methods: [{ id: 'fastv', retention: 0.5 }, { id: 'divprune', retention: 0.5 }] }, context());
    const config = JSON.parse(readFileSync(join(root, 'models', 'reference', 'config.json'), 'utf8')) as { text_config: { num_attention_heads: number; hidden_size: number } };
    const [, fastv, div] = res.results as [unknown, typeof res.results[0], typeof res.results[0]];
    // FastV reads one attention row (the last query) over every token entering layer K−1 = 0, per head.
    expect(fastv.flops.extra.items).toEqual([{ label: expect.stringContaining('fastv: probes'), flops: fastv.tokenCounts.decoder[0]! * config.text_config.num_attention_heads }]);
    // DivPrune: the upper triangle of the 16×16 cosine matrix at LLM width, and no probes.
    expect(div.flops.extra.items).toEqual([{ label: 'divprune: token selection', flops: ((16 * 17) / 2) * config.text_config.hidden_size }]);
    expect(div.flops.total).toBeCloseTo(div.flops.vision.total + div.flops.projector.total + div.flops.prefill.total + div.flops.decode.total + div.flops.lmHead.total + div.flops.extra.total, 3);
  });
});
