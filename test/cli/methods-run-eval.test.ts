/**
 * `tokenlab run --method` and `tokenlab eval --method` on a tiny random checkpoint (4×4 grid,
 * 2 decoder layers): the JSON fields the issue names are there and agree with each other, and bad
 * method flags are usage errors or engine refusals that name the method.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/command';
import { evalCommand } from '../../src/cli/commands/eval';
import { methodSpecs, parseRetention } from '../../src/cli/commands/method-args';
import { generateBenchmark } from '../../src/engine/bench/benchWriter';
import { writeTinyCheckpoint } from '../../src/engine/models/checkpoint/write';
import type { RunStartResponse } from '../../src/shared/schemas/runs';

const tmp = mkdtempSync(join(tmpdir(), 'tokenlab-cli-methods-'));
const model = join(tmp, 'model');
const bench = join(tmp, 'bench');
const image = join(tmp, 'red.png');

beforeAll(async () => {
  writeTinyCheckpoint(model, { seed: 2 });
  await generateBenchmark({ out: bench, seed: 8, images: 6, videos: 1 });
  await sharp({ create: { width: 60, height: 40, channels: 3, background: { r: 200, g: 30, b: 40 } } }).png().toFile(image);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function tokenlab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/tokenlab.js', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function evalJson(argv: string[]): Promise<Record<string, unknown>> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await evalCommand.run(argv)).toBe(0);
  } finally {
    vi.restoreAllMocks();
  }
  return JSON.parse(out) as Record<string, unknown>;
}

describe('method flags', () => {
  it('parse retention as a decimal or a fraction, and route parameters', () => {
    expect(parseRetention('1/9')).toBeCloseTo(1 / 9, 15);
    expect(parseRetention('0.25')).toBe(0.25);
    for (const bad of ['0', '1.5', 'half', '2/1']) expect(() => parseRetention(bad)).toThrow(UsageError);
    expect(methodSpecs(['fastv', 'pool'], ['0.5'], ['k=2', 'pool.mode="max"'])).toEqual([
      { id: 'fastv', retention: 0.5, params: { k: 2 } },
      { id: 'pool', retention: 0.5, params: { mode: 'max' } },
    ]);
    expect(() => methodSpecs(['fastv'], [], [])).toThrow(/--retention is required/);
    expect(() => methodSpecs(['fastv'], ['0.5'], ['nonsense=1'])).toThrow(/no chosen method/);
    expect(() => methodSpecs([], ['0.5'], [])).toThrow(UsageError);
  });
});

describe('tokenlab run --method', () => {
  it('--json: the baseline then each method, with fidelity, FLOPs ratio, equivalent tokens and the trace', async () => {
    const { code, stdout, stderr } = await tokenlab(['run', '--model', model, '--image', image, '--question', 'what color', '--method', 'pool', '--method', 'fastv', '--retention', '1/4', '--retention', '1', '--repeats', '1', '--max-new-tokens', '2', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as Pick<RunStartResponse, 'results' | 'grid'>;
    expect(r.results.map((m) => [m.method, m.retention])).toEqual([['none', undefined], ['pool', 0.25], ['fastv', 1]]);
    const [base, pool, fastv] = r.results as [RunStartResponse['results'][0], RunStartResponse['results'][0], RunStartResponse['results'][0]];
    expect(pool.equivalentTokens).toBe(4);
    expect(pool.tokenCounts.decoderVisual).toEqual([4, 4]);
    expect(pool.flopsRatio).toBeCloseTo(pool.flops.total / base.flops.total, 12);
    expect(pool.flopsRatio).toBeLessThan(1);
    expect(pool.pruning?.trace.layers.map((l) => l.visual)).toEqual([4, 4]);
    expect(fastv.fidelity).toEqual({ sameAnswer: true, top1Agree: true, klFirstToken: 0, logProbChange: 0 });
  });

  it('prints a table row per method; a bad parameter names the method', async () => {
    const ok = await tokenlab(['run', '--model', model, '--image', image, '--question', 'q', '--method', 'divprune', '--retention', '0.5', '--repeats', '1', '--max-new-tokens', '2']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^divprune\s+0\.500\s/m);
    expect(ok.stdout).toMatch(/8\.0\/16/);
    const bad = await tokenlab(['run', '--model', model, '--image', image, '--question', 'q', '--method', 'divprune', '--retention', '0.5', '--param', 'divprune.keep=-3']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/divprune/);
  });
});

describe('tokenlab eval --method', () => {
  it('--json adds agreement, kl, flopsRatio, equivalentTokens and relevantKept to the eval fields', async () => {
    const r = await evalJson(['--model', model, '--bench', bench, '--method', 'visionzip', '--retention', '0.25', '--max-new-tokens', '2', '--json', '--samples']);
    // VisionZip is image-only: the video sample is skipped.
    expect(r.n).toBe(6);
    expect(r.accuracy).toBeCloseTo((r.correct as number) / 6, 12);
    expect(r.equivalentTokens).toBe(4);
    expect(r.achievedRetention).toBe(0.25);
    expect(r.flopsRatio as number).toBeLessThan(1);
    expect(r.agreement as number).toBeGreaterThanOrEqual(0);
    expect(r.agreement as number).toBeLessThanOrEqual(1);
    expect(r.kl as number).toBeGreaterThanOrEqual(0);
    const samples = r.samples as Array<{ top1Agree: boolean; kl: number; relevantKept?: number; flopsRatio: number }>;
    expect(r.agreement).toBeCloseTo(samples.filter((s) => s.top1Agree).length / 6, 12);
    expect(r.kl).toBeCloseTo(samples.reduce((a, s) => a + s.kl, 0) / 6, 12);
    const withRelevant = samples.filter((s) => s.relevantKept !== undefined);
    expect(withRelevant.length).toBeGreaterThan(0);
    expect(r.relevantKept).toBeCloseTo(withRelevant.reduce((a, s) => a + s.relevantKept!, 0) / withRelevant.length, 12);
    expect(r.method).toEqual({ id: 'visionzip', retention: 0.25, params: {} });
    expect(r.unprunedAccuracy as number).toBeGreaterThanOrEqual(0);
  });

  it('at retention 1 a method agrees with the unpruned model on every sample', async () => {
    const r = await evalJson(['--model', model, '--bench', bench, '--method', 'fastv', '--retention', '1', '--max-new-tokens', '2', '--json', '--limit', '3']);
    expect(r.n).toBe(3);
    expect(r.agreement).toBe(1);
    expect(r.sameAnswer).toBe(1);
    expect(r.kl).toBe(0);
    expect(r.accuracy).toBe(r.unprunedAccuracy);
    expect(r.relevantKept).toBe(1);
  });
});
