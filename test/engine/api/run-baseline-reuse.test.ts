/**
 * run:start reuses the unpruned pass of an earlier run with the same model, image, question and
 * settings (the lab's "same image, another method" loop), marks it `reused`, and computes the
 * methods' fidelity against it exactly as against a fresh one; anything that changes the answer
 * or asks for measured latency (warm-up, repeats) runs it again, as does a reloaded model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaHandlers } from '../../../src/engine/api/media';
import { createModelHandlers, createModelState, type ModelState } from '../../../src/engine/api/models';
import { createRunHandlers } from '../../../src/engine/api/runs';
import { MediaStore } from '../../../src/engine/media/store';
import { writeTinyCheckpoint } from '../../../src/engine/models/checkpoint/write';
import { parseResponse, type CallContext } from '../../../src/shared/api';
import type { RunStartRequest } from '../../../src/shared/schemas/runs';
import { solidImage } from '../media/fixtures';

let root = '';
let state: ModelState;
let handlers: ReturnType<typeof createModelHandlers> & ReturnType<typeof createRunHandlers> & ReturnType<typeof createMediaHandlers>;
let red = '';
let blue = '';
const ctx = (): CallContext => ({ signal: new AbortController().signal, progress: () => {} });
const run = async (req: Omit<RunStartRequest, 'mediaId'> & { mediaId?: string }) => parseResponse('run:start', await handlers['run:start']({ mediaId: red, ...req }, ctx()));
const fastv = [{ id: 'fastv', params: {}, retention: 0.5 }];
const divprune = [{ id: 'divprune', params: {}, retention: 0.5 }];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tokenlab-reuse-'));
  writeTinyCheckpoint(join(root, 'models', 'reference'));
  state = createModelState({ root, envModels: '', runtime: { providers: ['cpu'], intraOpThreads: 1 } });
  const media = new MediaStore();
  handlers = { ...createMediaHandlers(media), ...createModelHandlers(state), ...createRunHandlers(state, media) };
  red = (await handlers['media:import']({ name: 'red.png', data: await solidImage('png', 40, 40, '#d02020') }, ctx())).id;
  blue = (await handlers['media:import']({ name: 'blue.png', data: await solidImage('png', 40, 40, '#2040d0') }, ctx())).id;
});
afterAll(async () => {
  await state.cache.clear();
  rmSync(root, { recursive: true, force: true });
});

describe('run:start reuses the unpruned pass', () => {
  it('for the same image and question, with another method: same baseline result, fidelity as fresh', async () => {
    const first = await run({ question: 'What colour?', methods: fastv });
    expect(first.results[0]!.reused).toBeUndefined();
    const again = await run({ question: 'What colour?', methods: divprune });
    const [base, fresh] = [again.results[0]!, first.results[0]!];
    expect(base.reused).toBe(true);
    const { reused: _r, ...rest } = base;
    expect(rest).toEqual(fresh); // answer, top-5, FLOPs, counts — and the earlier run's latency
    // DivPrune's fidelity is computed against the reused pass; a fresh run of the same gives the same.
    const fresh2 = await run({ question: 'What colour?', methods: divprune, repeats: 1, warmup: 1 });
    expect(fresh2.results[0]!.reused).toBeUndefined();
    expect(again.results[1]!.fidelity).toEqual(fresh2.results[1]!.fidelity);
    expect(again.results[1]!.answer).toBe(fresh2.results[1]!.answer);
  });

  it('not for another question, image, token budget or FLOPs convention, nor when latency is measured', async () => {
    await run({ question: 'Which shape?', methods: fastv });
    expect((await run({ question: 'Which shape?', methods: fastv })).results[0]!.reused).toBe(true);
    expect((await run({ question: 'Which shape is it?', methods: fastv })).results[0]!.reused).toBeUndefined();
    expect((await run({ mediaId: blue, question: 'Which shape?', methods: fastv })).results[0]!.reused).toBeUndefined();
    expect((await run({ question: 'Which shape?', methods: fastv, maxNewTokens: 3 })).results[0]!.reused).toBeUndefined();
    expect((await run({ question: 'Which shape?', methods: fastv, flopsConvention: 'fastv' })).results[0]!.reused).toBeUndefined();
    expect((await run({ question: 'Which shape?', methods: fastv, repeats: 2 })).results[0]!.reused).toBeUndefined();
  });

  it('not after the model was unloaded and loaded again', async () => {
    await run({ question: 'How many?' });
    expect((await run({ question: 'How many?' })).results[0]!.reused).toBe(true);
    await handlers['model:unload']({ modelId: 'reference' }, ctx());
    expect((await run({ question: 'How many?' })).results[0]!.reused).toBeUndefined();
  });
});
