import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/command';
import { flopsCommand } from '../../src/cli/commands/flops';
import { writeTinyCheckpoint } from '../../src/engine/models/checkpoint/write';
import { decoderLayerFlops } from '../../src/shared/flops';

const tmp = mkdtempSync(join(tmpdir(), 'tokenlab-cli-flops-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs the command in-process and returns what it printed. */
async function run(argv: string[]): Promise<string> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  expect(await flopsCommand.run(argv)).toBe(0);
  vi.restoreAllMocks();
  return out;
}

describe('tokenlab flops', () => {
  it('acceptance: --preset llava-1.5-7b --visual-tokens 576 --json reports 3.82 TFLOPs decoder prefill, through the real bin', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/tokenlab.js', 'flops', '--preset', 'llava-1.5-7b', '--visual-tokens', '576', '--json']);
    const report = JSON.parse(stdout) as { tflops: { decoderPrefill: number }; prefill: { total: number; layers: number[] }; formulas: { decoderLayer: string }; convention: string };
    expect(Math.abs(report.tflops.decoderPrefill / 3.82 - 1)).toBeLessThan(0.005);
    expect(report.prefill.total).toBe(3_817_152_184_320);
    expect(report.prefill.layers).toHaveLength(32);
    expect(report.convention).toBe('paper');
    expect(report.formulas.decoderLayer).toContain('4·n·d² + 2·n²·d + 3·n·d·m');
  });

  it('prints a per-component table with the formulas', async () => {
    const out = await run(['--preset', 'llava-1.5-7b', '--visual-tokens', '576', '--text-tokens', '35', '--convention', 'fastv']);
    expect(out).toMatch(/decoder prefill \(32 layers × 611 tokens\)\s+3\.\d\d TFLOPs/);
    expect(out).toContain("convention 'fastv'");
    expect(out).toContain('decoderLayer: 4·n·d² + 2·n²·d + 2·n·d·m per layer');
  });

  it('reads dimensions from a model folder\'s config.json (GQA included)', async () => {
    const { dir, config } = writeTinyCheckpoint(join(tmp, 'tiny'), { text: { numHeads: 4, numKvHeads: 2 } });
    const report = JSON.parse(await run(['--model', dir, '--visual-tokens', '16', '--text-tokens', '4', '--decode-steps', '3', '--json'])) as {
      prefill: { total: number }; decode: { steps: number }; formulas: { decoderLayer: string };
    };
    const text = { ...config.text, numKvHeads: 2 };
    expect(report.prefill.total).toBe(2 * decoderLayerFlops(text, 20));
    expect(report.decode.steps).toBe(3);
    expect(report.formulas.decoderLayer).toContain('grouped-query attention');
  });

  it('rejects bad flags with a usage error', async () => {
    await expect(flopsCommand.run(['--visual-tokens', '5'])).rejects.toThrow(UsageError);
    await expect(flopsCommand.run(['--preset', 'llava-1.5-7b'])).rejects.toThrow(/--visual-tokens is required/);
    await expect(flopsCommand.run(['--preset', 'llava-1.5-7b', '--visual-tokens', '-3'])).rejects.toThrow(UsageError);
    await expect(flopsCommand.run(['--preset', 'gpt', '--visual-tokens', '3'])).rejects.toThrow(/unknown preset 'gpt'/);
    await expect(flopsCommand.run(['--preset', 'llava-1.5-7b', '--visual-tokens', '3', '--convention', 'x'])).rejects.toThrow(/paper or fastv/);
    await expect(flopsCommand.run(['--preset', 'llava-1.5-7b', '--visual-tokens', '3', '--bogus'])).rejects.toThrow(UsageError);
    await expect(flopsCommand.run(['--model', join(tmp, 'missing'), '--visual-tokens', '3'])).rejects.toThrow(/config\.json: file not found/);
  });
});
