import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyCheckpoint } from '../../src/engine/models/checkpoint/write';

const tmp = mkdtempSync(join(tmpdir(), 'tokenlab-cli-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const image = join(tmp, 'square.png');

beforeAll(async () => {
  await sharp({ create: { width: 60, height: 40, channels: 3, background: { r: 20, g: 180, b: 40 } } }).png().toFile(image);
});

/** Runs the real bin; resolves with exit code and output (never rejects on a non-zero exit). */
async function tokenlab(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/tokenlab.js', 'run', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('tokenlab run', () => {
  it('answers on a tiny GQA checkpoint and reports FLOPs, latency and provider (--json)', async () => {
    const dir = join(tmp, 'gqa');
    writeTinyCheckpoint(dir, { seed: 6, text: { numHeads: 4, numKvHeads: 2 } });
    const { code, stdout, stderr } = await tokenlab(['--model', dir, '--image', image, '--question', 'what color', '--json', '--repeats', '2', '--max-new-tokens', '5', '--threads', '1']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as { answer: string; ids: number[]; provider: string; threads: { intraOpThreads: number }; flops: { prefill: { tokensPerLayer: number[]; total: number }; total: number }; latency: { repeats: number; phases: Record<string, { median: number; samples: number }> }; tokens: { projector: number } };
    expect(r.ids.length).toBeLessThanOrEqual(5);
    expect(typeof r.answer).toBe('string');
    expect(r.provider).toBe('cpu');
    expect(r.threads.intraOpThreads).toBe(1);
    expect(r.tokens.projector).toBe(16);
    expect(r.flops.prefill.tokensPerLayer).toHaveLength(2);
    expect(r.flops.total).toBeGreaterThan(r.flops.prefill.total);
    for (const phase of ['preprocess', 'vision', 'prefill', 'decode', 'total']) expect(r.latency.phases[phase]!.samples).toBe(2);
  });

  it('prints a readable report', async () => {
    const dir = join(tmp, 'plain');
    writeTinyCheckpoint(dir, { seed: 7 });
    const { code, stdout } = await tokenlab(['--model', dir, '--image', image, '--question', 'shape?', '--repeats', '1']);
    expect(code).toBe(0);
    for (const line of ['Answer:', 'Provider: cpu', 'FLOPs', 'prefill', 'Latency, median']) expect(stdout).toContain(line);
  });

  it.each([
    { name: 'a missing tensor', options: { omitTensors: ['language_model.model.layers.1.mlp.up_proj.weight'] }, expect: /model\.safetensors.*language_model\.model\.layers\.1\.mlp\.up_proj\.weight.*not found/ },
    { name: 'a wrong shape', options: { replaceTensors: { 'multi_modal_projector.linear_1.weight': { shape: [3, 3], data: new Float32Array(9) } } }, expect: /multi_modal_projector\.linear_1\.weight.*shape/ },
  ])('names the file and tensor for $name', async ({ name, options, expect: pattern }) => {
    const dir = join(tmp, name.replace(/\W+/g, '-'));
    writeTinyCheckpoint(dir, { seed: 8, ...options });
    const { code, stderr } = await tokenlab(['--model', dir, '--image', image, '--question', 'q']);
    expect(code).toBe(1);
    expect(stderr).toMatch(pattern);
  });

  it('names the file for a truncated safetensors file', async () => {
    const dir = join(tmp, 'truncated');
    writeTinyCheckpoint(dir, { seed: 9 });
    const file = join(dir, 'model.safetensors');
    truncateSync(file, Math.floor(statSync(file).size * 0.6));
    const { code, stderr } = await tokenlab(['--model', dir, '--image', image, '--question', 'q']);
    expect(code).toBe(1);
    expect(stderr).toContain('model.safetensors');
    expect(stderr).toMatch(/truncat|shorter|ends/i);
  });

  it('is a usage error without --image, and a clear error for an image that is not one', async () => {
    const dir = join(tmp, 'for-usage');
    writeTinyCheckpoint(dir, { seed: 10 });
    expect((await tokenlab(['--model', dir, '--question', 'q'])).code).toBe(2);
    const notImage = join(tmp, 'notes.png');
    writeFileSync(notImage, 'hello');
    const { code, stderr } = await tokenlab(['--model', dir, '--image', notImage, '--question', 'q']);
    expect(code).toBe(1);
    expect(stderr).toContain(notImage);
    expect(stderr).toMatch(/could not be read|could not be decoded/);
  });
});
