/**
 * `method:list` and `bench:samples` through their handlers and the contract's schemas: the method
 * list is the registry as `tokenlab methods --json` describes it, and a benchmark folder pages
 * with real media paths that exist.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBenchHandlers } from '../../../src/engine/api/bench';
import { createMethodHandlers } from '../../../src/engine/api/methods';
import { generateBenchmark } from '../../../src/engine/bench/benchWriter';
import { describePruner, listPruners } from '../../../src/engine/pruners/registry';
import { parseRequest, parseResponse, type CallContext } from '../../../src/shared/api';
import { ApiError } from '../../../src/shared/errors';

const context = (): CallContext => ({ signal: new AbortController().signal, progress() {} });

describe('method:list', () => {
  it('lists every registered method with the same JSON Schema as tokenlab methods --json', async () => {
    const list = parseResponse('method:list', await createMethodHandlers()['method:list']({}, context()));
    expect(list.map((m) => m.id)).toEqual(listPruners().map((p) => p.id));
    const fastv = list.find((m) => m.id === 'fastv')!;
    expect(fastv.stages).toEqual(['llm']);
    expect(fastv.guidance).toBe('text');
    expect(fastv.paper.url).toContain('arxiv.org');
    expect(JSON.parse(JSON.stringify(fastv.params))).toEqual(JSON.parse(JSON.stringify(describePruner(listPruners().find((p) => p.id === 'fastv')!).params)));
    expect(fastv.params.properties.k?.description).toContain('decoder layers');
  });
});

describe('bench:samples', () => {
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenlab-bench-api-'));
    await generateBenchmark({ out: dir, seed: 7, images: 5, videos: 0, name: 'tiny' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pages through a folder and gives media paths that exist', async () => {
    const handler = createBenchHandlers()['bench:samples'];
    const first = parseResponse('bench:samples', await handler(parseRequest('bench:samples', { bench: dir, limit: 2 }), context()));
    expect(first).toMatchObject({ bench: dir, name: 'tiny', total: 5, offset: 0 });
    expect(first.samples).toHaveLength(2);
    const rest = await handler(parseRequest('bench:samples', { bench: dir, offset: 2, limit: 10 }), context());
    expect(rest.samples.map((s) => s.id)).not.toContain(first.samples[0]!.id);
    expect(rest.samples).toHaveLength(3);
    for (const s of [...first.samples, ...rest.samples]) {
      expect(s.kind).toBe('image');
      expect(s.question.length).toBeGreaterThan(0);
      expect(existsSync(s.path)).toBe(true);
    }
    expect((await handler({ bench: dir, kind: 'video' }, context())).total).toBe(0);
  });

  it('refuses a folder that is not a benchmark with what to do', async () => {
    const err = await createBenchHandlers()['bench:samples']({ bench: join(dir, 'nope') }, context()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toContain('Cannot open the benchmark');
    expect((err as ApiError).hint).toContain('shapes:test');
  });
});
