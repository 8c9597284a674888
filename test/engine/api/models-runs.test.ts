/**
 * The model and run handlers on tiny random checkpoints written here, with media imported through
 * the media handlers: list/load/unload, run:start's response (answer, FLOPs from the actual
 * counts, latency, provider), progress, cancellation between layers, and refusals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaHandlers } from '../../../src/engine/api/media';
import { createModelHandlers, createModelState, type ModelState } from '../../../src/engine/api/models';
import { createRunHandlers } from '../../../src/engine/api/runs';
import { MediaStore } from '../../../src/engine/media/store';
import { flopsDimsFromConfig } from '../../../src/engine/models/checkpoint/flops-dims';
import { writeTinyCheckpoint } from '../../../src/engine/models/checkpoint/write';
import { parseRequest, parseResponse, type CallContext } from '../../../src/shared/api';
import { ApiError } from '../../../src/shared/errors';
import { computeFlops } from '../../../src/shared/flops';
import type { TaskProgress } from '../../../src/shared/schemas/app';
import { solidImage } from '../media/fixtures';

let root = '';
let state: ModelState;
let media: MediaStore;
let handlers: ReturnType<typeof createModelHandlers> & ReturnType<typeof createRunHandlers> & ReturnType<typeof createMediaHandlers>;
let imageId = '';

function context(onProgress: (p: TaskProgress, abort: () => void) => void = () => {}): CallContext & { events: TaskProgress[] } {
  const controller = new AbortController();
  const events: TaskProgress[] = [];
  return {
    signal: controller.signal,
    events,
    progress(p) {
      events.push(p);
      onProgress(p, () => controller.abort());
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tokenlab-runs-'));
  writeTinyCheckpoint(join(root, 'models', 'reference'));
  writeTinyCheckpoint(join(root, 'zoo', 'gqa'), { text: { numKvHeads: 2 }, seed: 5 });
  writeTinyCheckpoint(join(root, 'zoo', 'broken'), { omitTensors: ['language_model.model.norm.weight'] });
  state = createModelState({ root, envModels: join(root, 'zoo'), runtime: { providers: ['cpu'], intraOpThreads: 1 } });
  media = new MediaStore();
  handlers = { ...createMediaHandlers(media), ...createModelHandlers(state), ...createRunHandlers(state, media) };
  imageId = (await handlers['media:import']({ name: 'red.png', data: await solidImage('png', 64, 48, '#d02020') }, context())).id;
});
afterAll(async () => {
  await state.cache.clear();
  rmSync(root, { recursive: true, force: true });
});

describe('model handlers', () => {
  it('model:list reports every folder, the broken one with its reason', async () => {
    const list = parseResponse('model:list', await handlers['model:list']({}, context()));
    expect(list.map((m) => [m.id, m.state, m.loaded])).toEqual([['reference', 'ok', false], ['broken', 'broken', false], ['gqa', 'ok', false]]);
    expect(list[1]!.problem?.message).toContain('language_model.model.norm.weight');
  });

  it('model:load reports progress, builds the graphs once, and says where it runs', async () => {
    const ctx = context();
    const info = parseResponse('model:load', await handlers['model:load']({ modelId: 'gqa' }, ctx));
    expect(info).toMatchObject({ id: 'gqa', state: 'ok', loaded: true, provider: 'cpu', threads: { intraOp: 1, interOp: 1 } });
    expect(info.digest?.text.kvHeads).toBe(2);
    expect(info.loadMs).toBeGreaterThan(0);
    expect(ctx.events[0]).toMatchObject({ phase: 'load', done: 0, total: 4, message: expect.stringContaining('config.json') });
    expect(ctx.events.map((e) => e.done)).toEqual([...ctx.events.map((e) => e.done)].sort((a, b) => a - b));
    expect(ctx.events.every((e) => e.phase === 'load')).toBe(true);
    expect(ctx.events.at(-1)).toMatchObject({ message: expect.stringContaining('ready on cpu') });
    const again = await handlers['model:load']({ modelId: 'gqa' }, context());
    expect(again.loadMs).toBe(0);
    expect((await handlers['model:list']({}, context())).find((m) => m.id === 'gqa')?.loaded).toBe(true);
    expect(await handlers['model:unload']({ modelId: 'gqa' }, context())).toEqual({ unloaded: true });
    expect(await handlers['model:unload']({ modelId: 'gqa' }, context())).toEqual({ unloaded: false });
  });

  it('a broken model gives model-error naming the tensor with a hint; unknown ids and folders give not-found', async () => {
    const broken = await rejection(handlers['model:load']({ modelId: 'broken' }, context()));
    expect(broken.code).toBe('model-error');
    expect(broken.message).toContain('language_model.model.norm.weight');
    expect(broken.hint).toBeTruthy();
    expect((await rejection(handlers['model:load']({ modelId: 'nope' }, context()))).code).toBe('not-found');
    expect((await rejection(handlers['model:load']({ dir: join(root, 'nowhere') }, context()))).code).toBe('not-found');
    expect((await handlers['model:list']({}, context())).some((m) => m.dir.endsWith('nowhere'))).toBe(false);
  });

  it('model:load { dir } adds the folder to the list', async () => {
    const dir = join(root, 'extra', 'mine');
    writeTinyCheckpoint(dir, { seed: 9 });
    const info = await handlers['model:load']({ dir }, context());
    expect(info).toMatchObject({ id: 'mine', source: 'added', loaded: true });
    expect((await handlers['model:list']({}, context())).map((m) => m.id)).toContain('mine');
    await handlers['model:unload']({ modelId: 'mine' }, context());
  });

  it('cancelling a load before it finishes gives cancelled and leaves nothing loaded', async () => {
    const ctx = context((p, abort) => {
      if (p.done >= 2) abort();
    });
    expect((await rejection(handlers['model:load']({ modelId: 'reference' }, ctx))).code).toBe('cancelled');
    expect(state.cache.has(join(root, 'models', 'reference'))).toBe(false);
  });
});

describe('run:start', () => {
  it('answers with the unpruned baseline: answer, top-5, FLOPs from the counts, latency, provider, grid', async () => {
    const ctx = context();
    const res = parseResponse('run:start', await handlers['run:start']({ modelId: 'reference', mediaId: imageId, question: 'What colour is the shape?', expectedAnswer: 'red', maxNewTokens: 4, repeats: 2, warmup: 1 }, ctx));
    expect(res.results).toHaveLength(1);
    const r = res.results[0]!;
    expect(r.method).toBe('none');
    expect(typeof r.answer).toBe('string');
    expect(r.ids.length).toBeGreaterThan(0);
    expect(r.ids.length).toBeLessThanOrEqual(4);
    expect(typeof r.correct).toBe('boolean');
    expect(r.fidelity).toBeUndefined();
    expect(r.provider).toBe('cpu');
    expect(res.model).toMatchObject({ id: 'reference', provider: 'cpu' });
    expect(res.grid).toEqual({ rows: 4, cols: 4, frames: 1, tokensPerFrame: 16, visualTokens: 16 });
    // Top-5 sorted by probability, the first answer token among them.
    const probs = r.firstToken.top.map((c) => c.prob);
    expect(probs).toEqual([...probs].sort((a, b) => b - a));
    expect(r.firstToken.top).toHaveLength(5);
    expect(r.firstToken.top[0]!.id).toBe(r.firstToken.id);
    expect(r.ids[0]).toBe(r.firstToken.id);
    // Unpruned: every decoder layer sees text + 16 visual tokens, and the FLOPs come from exactly those counts.
    expect(r.tokenCounts.decoder).toEqual([r.tokenCounts.text + 16, r.tokenCounts.text + 16]);
    expect(r.tokenCounts.decoderVisual).toEqual([16, 16]);
    expect(r.flops.prefill.tokensPerLayer).toEqual(r.tokenCounts.decoder);
    const model = state.cache.get(join(root, 'models', 'reference'))!.model;
    const expected = computeFlops({ dims: flopsDimsFromConfig(model.config, model.name), prefillTokensPerLayer: r.tokenCounts.decoder, projectorTokens: 16, decodeSteps: r.tokenCounts.decodeSteps });
    expect(r.flops.total).toBe(expected.total);
    expect(r.flops.convention).toBe('paper');
    // Latency: two measured runs after one warm-up, per phase and in total.
    expect(res).toMatchObject({ warmup: 1, repeats: 2 });
    for (const phase of ['preprocess', 'vision', 'prefill', 'decode', 'total']) expect(r.latency[phase]?.samples).toBe(2);
    expect(r.latency.total!.median).toBeGreaterThan(0);
    // Progress: the model load, then vision → prefill → decode.
    const phases = [...new Set(ctx.events.map((e) => e.phase))];
    expect(phases).toEqual(['load', 'vision', 'prefill', 'decode']);
  });

  it('the FastV convention lowers the FLOPs; the default model is the one used last', async () => {
    const paper = await handlers['run:start']({ mediaId: imageId, question: 'Which shape?', maxNewTokens: 2 }, context());
    const fastv = await handlers['run:start']({ mediaId: imageId, question: 'Which shape?', maxNewTokens: 2, flopsConvention: 'fastv' }, context());
    expect(paper.model.id).toBe('reference');
    expect(fastv.results[0]!.flops.convention).toBe('fastv');
    expect(fastv.results[0]!.flops.prefill.total).toBeLessThan(paper.results[0]!.flops.prefill.total);
    expect(fastv.results[0]!.answer).toBe(paper.results[0]!.answer);
  });

  it('cancelling mid-run gives cancelled, and the model still answers afterwards', async () => {
    const ctx = context((p, abort) => {
      if (p.phase === 'prefill') abort();
    });
    const err = await rejection(handlers['run:start']({ modelId: 'reference', mediaId: imageId, question: 'Is there a circle?' }, ctx));
    expect(err.code).toBe('cancelled');
    expect(ctx.events.some((e) => e.phase === 'decode')).toBe(false);
    const ok = await handlers['run:start']({ modelId: 'reference', mediaId: imageId, question: 'Is there a circle?', maxNewTokens: 2 }, context());
    expect(ok.results[0]!.answer).toBeTypeOf('string');
  });

  it('a run queued behind another waits its turn; one queued when the model is unloaded says so', async () => {
    const entry = state.cache.get(join(root, 'models', 'reference'))!;
    const order: string[] = [];
    const first = state.cache.exclusive(entry, async () => {
      await new Promise((r) => setTimeout(r, 30));
      order.push('first');
    });
    const second = state.cache.exclusive(entry, async () => void order.push('second'));
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    let started = false;
    const slow = state.cache.exclusive(entry, async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 30));
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toBe(true);
    const queued = state.cache.exclusive(entry, async () => 'ran');
    const evicted = state.cache.evict(entry.folder.dir);
    await slow; // the run in progress finishes on its sessions; eviction waits for it
    const err = await rejection(queued);
    expect(err.code).toBe('not-found');
    expect(err.message).toMatch(/unloaded before the run started/);
    expect(await evicted).toBe(true);
    expect(state.cache.has(entry.folder.dir)).toBe(false);
  });

  it('refuses bad requests with codes a client can act on', async () => {
    const invalid = (payload: unknown): string => {
      try {
        parseRequest('run:start', payload);
        return 'accepted';
      } catch (e) {
        return (e as ApiError).code;
      }
    };
    expect(invalid({ mediaId: imageId, question: '   ' })).toBe('invalid-input');
    expect(invalid({ mediaId: '', question: 'q' })).toBe('invalid-input');
    expect(invalid({ mediaId: imageId, question: 'q', repeats: 0 })).toBe('invalid-input');
    expect(invalid({ mediaId: imageId, question: 'q', flopsConvention: 'other' })).toBe('invalid-input');
    expect(invalid({ mediaId: imageId, question: 'q', methods: [{ id: 'fastv', params: { layer: 2 } }] })).toBe('accepted');
    expect(() => parseRequest('model:load', { modelId: 'a', dir: '/x' })).toThrow(/exactly one/);
    expect(() => parseRequest('model:load', {})).toThrow(/exactly one/);

    const missingMedia = await rejection(handlers['run:start']({ mediaId: 'gone', question: 'q' }, context()));
    expect(missingMedia.code).toBe('not-found');
    expect(missingMedia.hint).toBeTruthy();
    expect(invalid({ mediaId: imageId, question: 'q', methods: [{ id: 'fastv', retention: 0 }] })).toBe('invalid-input');
    expect(invalid({ mediaId: imageId, question: 'q', methods: [{ id: 'fastv', retention: 1.5 }] })).toBe('invalid-input');
    // The engine names the method at fault: unknown id, no retention, a parameter its schema refuses.
    for (const [methods, subject] of [
      [[{ id: 'none' }, { id: 'nope', retention: 0.5 }], 'nope'],
      [[{ id: 'fastv' }], 'fastv'],
      [[{ id: 'pool', retention: 0.5 }, { id: 'fastv', retention: 0.5, params: { layer: 2 } }], 'fastv'],
    ] as const) {
      const err = await rejection(handlers['run:start']({ mediaId: imageId, question: 'q', methods: methods.map((m) => ({ ...m })) }, context()));
      expect(err.code).toBe('invalid-input');
      expect(err.subject).toBe(subject);
      expect(err.message).toContain(subject);
    }
    const broken = await rejection(handlers['run:start']({ modelId: 'broken', mediaId: imageId, question: 'q' }, context()));
    expect(broken.code).toBe('model-error');
  });

  it('without a loaded model or a bundled one, says what to do', async () => {
    const empty = createModelState({ root: join(root, 'zoo'), envModels: '' });
    const h = createRunHandlers(empty, media);
    const err = await rejection(h['run:start']({ mediaId: imageId, question: 'q' }, context()));
    expect(err.code).toBe('not-found');
    expect(err.hint).toMatch(/model:load/);
  });
});
