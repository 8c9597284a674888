/**
 * The model and run calls across a JSON wire (as browser mode's WebSocket carries them): the
 * image goes in as bytes, run:start's response comes back intact and valid, progress streams to
 * the caller, a cancel message stops a run between layers, and bad payloads are invalid-input.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveContract, type ServedContract, type WireChannel } from '../../../src/engine/api/dispatch';
import { createMediaHandlers } from '../../../src/engine/api/media';
import { createModelHandlers, createModelState, type ModelState } from '../../../src/engine/api/models';
import { createRunHandlers } from '../../../src/engine/api/runs';
import { createWarmHandlers } from '../../../src/engine/api/warm';
import { createAppHandlers } from '../../../src/engine/api/app';
import { createBenchHandlers } from '../../../src/engine/api/bench';
import { createMethodHandlers } from '../../../src/engine/api/methods';
import { MediaStore } from '../../../src/engine/media/store';
import { writeTinyCheckpoint } from '../../../src/engine/models/checkpoint/write';
import { parseResponse } from '../../../src/shared/api';
import { decodeWire, encodeWire, type WireMessage } from '../../../src/shared/wire';
import { solidImage } from '../media/fixtures';

const root = mkdtempSync(join(tmpdir(), 'tokenlab-run-wire-'));
let state: ModelState;
let served: ServedContract;
const received: WireMessage[] = [];
let deliver: (m: WireMessage) => void = () => {};
let nextId = 1;

function waitFor<T>(find: () => T | undefined): Promise<T> {
  return new Promise((resolve) => {
    const poll = (): void => {
      const hit = find();
      if (hit !== undefined) resolve(hit);
      else setTimeout(poll, 2);
    };
    poll();
  });
}

async function call(name: string, payload: unknown, onProgress?: (id: number, p: WireMessage) => void): Promise<Extract<WireMessage, { type: 'result' }>> {
  const id = nextId++;
  deliver({ type: 'call', id, name, payload });
  if (onProgress) void waitFor(() => received.find((m) => m.type === 'progress' && m.id === id)).then((m) => onProgress(id, m));
  return waitFor(() => received.find((m): m is Extract<WireMessage, { type: 'result' }> => m.type === 'result' && m.id === id));
}

beforeAll(() => {
  writeTinyCheckpoint(join(root, 'models', 'reference'));
  state = createModelState({ root, envModels: '', runtime: { providers: ['cpu'], intraOpThreads: 1 } });
  const media = new MediaStore();
  let listener: (m: unknown) => void = () => {};
  const channel: WireChannel = {
    send: (m) => received.push(decodeWire(encodeWire(m))),
    onMessage: (l) => (listener = l),
  };
  deliver = (m) => listener(decodeWire(encodeWire(m)));
  served = serveContract({ ...createAppHandlers(), ...createMediaHandlers(media), ...createModelHandlers(state), ...createRunHandlers(state, media), ...createWarmHandlers(state), ...createMethodHandlers(), ...createBenchHandlers() }, channel, { logError: () => {} });
});
afterAll(async () => {
  served.close();
  await state.cache.clear();
  rmSync(root, { recursive: true, force: true });
});

describe('model and run calls over a JSON wire', () => {
  it('imports bytes, loads, runs, and returns a valid response with progress', async () => {
    const imported = await call('media:import', { name: 'blue.png', data: await solidImage('png', 40, 40, '#2040d0') });
    expect(imported.ok).toBe(true);
    const mediaId = (imported as { value: { id: string } }).value.id;
    const loaded = await call('model:load', { modelId: 'reference' });
    expect(loaded.ok).toBe(true);
    const result = await call('run:start', { mediaId, question: 'What colour is it?', expectedAnswer: 'blue', maxNewTokens: 3 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const res = parseResponse('run:start', result.value);
    expect(res.results[0]).toMatchObject({ method: 'none', provider: 'cpu' });
    const phases = received.filter((m) => m.type === 'progress' && m.id === result.id).map((m) => (m as { payload: { phase: string } }).payload.phase);
    expect(new Set(phases)).toEqual(new Set(['vision', 'prefill', 'decode']));
    // Modest size: no logits, only top-5 of the first token.
    expect(JSON.stringify(result.value).length).toBeLessThan(10_000);
  });

  it('a cancel message stops the run; invalid payloads are invalid-input naming the field', async () => {
    const imported = await call('media:import', { name: 'x.png', data: await solidImage('png') });
    const mediaId = (imported as { value: { id: string } }).value.id;
    const cancelled = await call('run:start', { mediaId, question: 'Is it red?', repeats: 5 }, (id) => deliver({ type: 'cancel', id }));
    expect(cancelled.ok).toBe(false);
    if (!cancelled.ok) expect(cancelled.error.code).toBe('cancelled');
    const empty = await call('run:start', { mediaId, question: '  ' });
    expect(empty.ok).toBe(false);
    if (!empty.ok) {
      expect(empty.error.code).toBe('invalid-input');
      expect(empty.error.message).toContain('question');
    }
    const after = await call('run:start', { mediaId, question: 'Is it red?', maxNewTokens: 2 });
    expect(after.ok).toBe(true);
  });
});
