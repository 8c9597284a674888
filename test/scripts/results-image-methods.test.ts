/**
 * scripts/results-image-methods.ts on a tiny random checkpoint and a tiny generated benchmark:
 * it writes the page with one table per retention, appends one record per (sample, method,
 * retention) plus the unpruned pass, and a rerun resumes — it runs only what is missing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBenchmark } from '../../src/engine/bench/benchWriter';
import type { ResultRecord } from '../../src/engine/eval/method-results';
import { writeTinyCheckpoint } from '../../src/engine/models/checkpoint/write';

const tmp = mkdtempSync(join(tmpdir(), 'tokenlab-results-'));
const model = join(tmp, 'model');
const bench = join(tmp, 'bench');
const cache = join(tmp, 'cache');
const out = join(tmp, 'page.md');

beforeAll(async () => {
  writeTinyCheckpoint(model, { seed: 4 });
  await generateBenchmark({ out: bench, seed: 9, images: 8, videos: 1 });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function script(limit: number): Promise<string> {
  const args = ['--import', 'tsx', 'scripts/results-image-methods.ts', '--model', model, '--bench', bench, '--cache', cache, '--out', out, '--methods', 'random,fastv,pdrop', '--limit', String(limit), '--threads', '1'];
  const { stderr } = await promisify(execFile)(process.execPath, args);
  return stderr;
}

function records(): ResultRecord[] {
  const files = readdirSync(cache);
  expect(files).toHaveLength(1);
  return readFileSync(join(cache, files[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ResultRecord);
}

describe('results:image', () => {
  it('writes the page from records and resumes without redoing finished passes', async () => {
    await script(2);
    const first = records();
    // 2 samples × (3 methods × 3 retentions + the unpruned pass).
    expect(first).toHaveLength(2 * 10);
    expect(new Set(first.map((r) => r.sample)).size).toBe(2);
    expect(first.filter((r) => r.method === 'none').every((r) => r.flopsRatio === 1 && r.kl === 0)).toBe(true);
    const page = readFileSync(out, 'utf8');
    for (const heading of ['## Retention 1/2', '## Retention 1/4', '## Retention 1/9', '## One-object questions at retention 1/9', '## Notes']) expect(page).toContain(heading);
    expect(page).toMatch(/\*\*Samples\*\*: 2 of the 8 image samples/);
    expect(page).toMatch(/^\| fastv \| 2 \| /m);
    // PyramidDrop cannot go below its floor on a 2-layer decoder: the notes say so.
    expect(page).toMatch(/\*\*pdrop at 1\/9\*\* \(layer-average\): achieved 0\.\d+ of the requested 0\.111/);

    const again = await script(2);
    expect(records()).toHaveLength(20);
    expect(again).not.toMatch(/sample \d+\/2/);

    await script(3);
    const more = records();
    expect(more.slice(0, 20)).toEqual(first);
    const added = new Set(more.slice(20).map((r) => r.sample));
    expect(more.length - 20).toBe(10 * added.size);
    expect(readFileSync(out, 'utf8')).toMatch(/\*\*Samples\*\*: 3 of the 8/);
  });
});
