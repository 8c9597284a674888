/**
 * `model:warm` on tiny random checkpoints: it loads the model and runs one throwaway pass per
 * image method (progress 'load' then 'warm'), a run started meanwhile still answers, a broken
 * folder fails with the loader's model-error (what the lab shows as a notice), and cancelling
 * stops it between passes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaHandlers } from '../../../src/engine/api/media';
import { createModelState, type ModelState } from '../../../src/engine/api/models';
import { createRunHandlers } from '../../../src/engine/api/runs';
import { createWarmHandlers, imageMethodIds } from '../../../src/engine/api/warm';
import { MediaStore } from '../../../src/engine/media/store';
import { writeTinyCheckpoint } from '../../../src/engine/models/checkpoint/write';
import { parseResponse, type CallContext } from '../../../src/shared/api';
import { ApiError } from '../../../src/shared/errors';
import type { TaskProgress } from '../../../src/shared/schemas/app';
import { solidImage } from '../media/fixtures';

let root = '';
let state: ModelState;
let handlers: ReturnType<typeof createWarmHandlers> & ReturnType<typeof createRunHandlers> & ReturnType<typeof createMediaHandlers>;

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

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tokenlab-warm-'));
  writeTinyCheckpoint(join(root, 'models', 'reference'));
  writeTinyCheckpoint(join(root, 'zoo', 'broken'), { omitTensors: ['language_model.model.norm.weight'] });
  state = createModelState({ root, envModels: join(root, 'zoo'), runtime: { providers: ['cpu'], intraOpThreads: 1 } });
  const media = new MediaStore();
  handlers = { ...createMediaHandlers(media), ...createRunHandlers(state, media), ...createWarmHandlers(state) };
});
afterAll(async () => {
  await state.cache.clear();
  rmSync(root, { recursive: true, force: true });
});

describe('model:warm', () => {
  it('a broken folder fails with the loader model-error and its hint', async () => {
    const err = await handlers['model:warm']({ modelId: 'broken' }, context()).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('model-error');
    expect((err as ApiError).message).toContain('language_model.model.norm.weight');
    expect((err as ApiError).hint).toBeTruthy();
  });

  it('cancelled between passes: cancelled, and the model stays loaded for the runs to come', async () => {
    const ctx = context((p, abort) => {
      if (p.phase === 'warm' && p.done === 1) abort();
    });
    const err = await handlers['model:warm']({}, ctx).then(() => undefined, (e: unknown) => e);
    expect((err as ApiError).code).toBe('cancelled');
    expect(state.cache.has(join(root, 'models', 'reference'))).toBe(true);
  });

  it('warms the default model: the unpruned pass, then every image method, with progress', async () => {
    const ctx = context();
    const info = parseResponse('model:warm', await handlers['model:warm']({}, ctx));
    expect(info).toMatchObject({ id: 'reference', loaded: true, provider: 'cpu' });
    expect([...info.methods, ...info.skipped.map((s) => s.method)].sort()).toEqual(['none', ...imageMethodIds()].sort());
    expect(info.methods[0]).toBe('none');
    expect(info.warmMs).toBeGreaterThan(0);
    const warm = ctx.events.filter((e) => e.phase === 'warm');
    expect(warm.map((e) => e.done)).toEqual(Array.from({ length: imageMethodIds().length + 2 }, (_, i) => i));
    expect(warm.at(-1)?.message).toContain('warmed up in');
  });

  it('a run started during a warm-up answers, and the warm-up gives way to it (the rest listed as skipped)', async () => {
    const image = await handlers['media:import']({ name: 'red.png', data: await solidImage('png', 40, 40, '#d02020') }, context());
    let run: Promise<unknown> | undefined;
    const warming = handlers['model:warm']({}, context((p) => {
      if (p.phase === 'warm' && p.done === 1 && !run) run = handlers['run:start']({ mediaId: image.id, question: 'What colour?', methods: [{ id: 'fastv', params: {}, retention: 0.5 }] }, context());
    }));
    const info = parseResponse('model:warm', await warming);
    const response = parseResponse('run:start', await run);
    expect(response.results.map((r) => r.method)).toEqual(['none', 'fastv']);
    // The pass under way when the run came in (the first method's) finished; the others were left.
    expect(info.methods).toEqual(['none', imageMethodIds()[0]]);
    expect(info.skipped.map((s) => s.method)).toEqual(imageMethodIds().slice(1));
    expect(info.skipped.every((s) => s.reason.includes('a run started'))).toBe(true);
  });
});
