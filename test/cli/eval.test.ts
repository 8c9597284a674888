import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/command';
import { evalCommand } from '../../src/cli/commands/eval';
import { generateBenchmark } from '../../src/engine/bench/benchWriter';
import { writeTinyCheckpoint } from '../../src/engine/models/checkpoint/write';

const tmp = mkdtempSync(join(tmpdir(), 'tokenlab-cli-eval-'));
const model = join(tmp, 'model');
const bench = join(tmp, 'bench');

beforeAll(async () => {
  writeTinyCheckpoint(model);
  await generateBenchmark({ out: bench, seed: 5, images: 10, videos: 0 });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.TOKENLAB_ROOT;
});

/** Runs the command in-process; returns its exit code, stdout and stderr. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    const code = await evalCommand.run(argv);
    return { code, out, err };
  } finally {
    vi.restoreAllMocks();
  }
}

interface EvalJson {
  accuracy: number;
  n: number;
  correct: number;
  byType: Record<string, { accuracy: number; n: number; majority: number }>;
  byKind: Record<string, { n: number }>;
  meanLatencyMs: Record<string, number>;
  provider: string;
  samples?: Array<{ answer: string; correct: boolean }>;
}

describe('tokenlab eval', () => {
  it('--json prints one object with accuracy, n and byType; per-type n sums to n; progress on stderr', async () => {
    const { code, out, err } = await run(['--model', model, '--bench', bench, '--json', '--max-new-tokens', '2']);
    expect(code).toBe(0);
    const r = JSON.parse(out) as EvalJson;
    expect(r.n).toBe(10);
    expect(r.accuracy).toBeGreaterThanOrEqual(0);
    expect(r.accuracy).toBeLessThanOrEqual(1);
    expect(r.accuracy).toBeCloseTo(r.correct / r.n, 12);
    expect(Object.values(r.byType).reduce((a, c) => a + c.n, 0)).toBe(10);
    for (const c of Object.values(r.byType)) expect(c.majority).toBeGreaterThan(0);
    expect(r.byKind.image?.n).toBe(10);
    expect(r.provider).toBe('cpu');
    expect(r.samples).toBeUndefined();
    expect(err).toContain('eval: 10/10');
  });

  it('--limit and --samples; the text table lists every type with its majority rate', async () => {
    const j = await run(['--model', model, '--bench', bench, '--json', '--samples', '--limit', '4', '--max-new-tokens', '2', '--threads', '1']);
    const r = JSON.parse(j.out) as EvalJson;
    expect(r.n).toBe(4);
    expect(r.samples).toHaveLength(4);
    expect(r.samples!.filter((s) => s.correct).length).toBe(r.correct);
    const t = await run(['--model', model, '--bench', bench, '--max-new-tokens', '2']);
    expect(t.out).toMatch(/Accuracy: +\d+\.\d% \(\d+\/10\)/);
    const full = JSON.parse((await run(['--model', model, '--bench', bench, '--json', '--max-new-tokens', '2'])).out) as EvalJson;
    for (const type of Object.keys(full.byType)) expect(t.out).toMatch(new RegExp(`^  ${type}\\s+\\d+\\s+[\\d.]+%\\s+[\\d.]+%`, 'm'));
  });

  it('--oracle keeps only the box cells: relevant tokens all kept, a retention below 1; exclusive with --method', async () => {
    const { code, out } = await run(['--model', model, '--bench', bench, '--json', '--oracle', '--limit', '4', '--max-new-tokens', '2']);
    expect(code).toBe(0);
    const r = JSON.parse(out) as EvalJson & { method: { id: string; retention: number }; relevantKept: number | null; unprunedAccuracy: number };
    expect(r.n).toBe(4);
    expect(r.method.id).toBe('oracle');
    expect(r.method.retention).toBeGreaterThan(0);
    expect(r.method.retention).toBeLessThan(1);
    if (r.relevantKept !== null) expect(r.relevantKept).toBeCloseTo(1, 12);
    await expect(run(['--model', model, '--bench', bench, '--oracle', '--method', 'random', '--retention', '0.5'])).rejects.toBeInstanceOf(UsageError);
  });

  it('refuses bad flags and explains a missing default model or benchmark', async () => {
    await expect(run(['--model', model, '--bench', bench, '--limit', '0'])).rejects.toBeInstanceOf(UsageError);
    await expect(run(['--model', model, '--bogus'])).rejects.toBeInstanceOf(UsageError);
    process.env.TOKENLAB_ROOT = tmp; // an install without models/reference
    await expect(run(['--bench', bench])).rejects.toThrow(/bundled reference model is not there.*--model DIR/);
    await expect(run(['--model', model, '--bench', join(tmp, 'nope')])).rejects.toThrow(/Benchmark folder not found/);
    await expect(run(['--model', join(tmp, 'nope'), '--bench', bench])).rejects.toThrow(/not a folder/);
  });
});
