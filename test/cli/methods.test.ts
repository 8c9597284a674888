import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/command';
import { methodsCommand } from '../../src/cli/commands/methods';

afterEach(() => vi.restoreAllMocks());

async function run(argv: string[]): Promise<string> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  expect(await methodsCommand.run(argv)).toBe(0);
  vi.restoreAllMocks();
  return out;
}

describe('tokenlab methods', () => {
  it('--json lists the eleven issue-5 ids with stages and JSON-Schema parameters, through the real bin', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/tokenlab.js', 'methods', '--json']);
    const methods = JSON.parse(stdout) as { id: string; stages: string[]; retention: string; guidance: string; params: { properties: Record<string, { description?: string; default?: unknown }> } }[];
    expect(methods.map((m) => m.id).sort()).toEqual(['divprune', 'fastv', 'mustdrop', 'pdrop', 'pool', 'prumerge-plus', 'random', 'sparsevlm', 'todre', 'transprune', 'visionzip']);
    const mustdrop = methods.find((m) => m.id === 'mustdrop')!;
    expect(mustdrop.stages).toEqual(['vit', 'llm', 'kv']);
    expect(mustdrop.retention).toBe('layer-average');
    expect(methods.find((m) => m.id === 'divprune')!.guidance).toBe('diversity');
    expect(mustdrop.params.properties.mergeThreshold).toMatchObject({ default: 0.8 });
    for (const m of methods) for (const p of Object.values(m.params.properties)) expect(p.description).toBeTruthy();
  });

  it('prints one block per method with its parameters and defaults', async () => {
    const out = await run([]);
    expect(out).toContain('transprune — TransPrune  arXiv 2507.20630');
    expect(out).toMatch(/direction <cos\|abs-cos> \(default "cos"\)/);
    expect(out).toMatch(/retention: layer-average; guided by: text\n/);
  });

  it('rejects unknown flags as a usage error', async () => {
    await expect(methodsCommand.run(['--yaml'])).rejects.toBeInstanceOf(UsageError);
  });
});
