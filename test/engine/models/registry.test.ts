import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyCheckpoint } from '../../../src/engine/models/checkpoint/write';
import { ModelRegistry } from '../../../src/engine/models/registry';
import { ModelSummary } from '../../../src/shared/schemas/models';

let root = '';
let zoo = '';
let single = '';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tokenlab-registry-'));
  writeTinyCheckpoint(join(root, 'models', 'reference'));
  zoo = join(root, 'zoo');
  writeTinyCheckpoint(join(zoo, 'good'), { text: { numKvHeads: 2 } });
  // Broken: a tensor missing from the weights. It must be listed with the reason, not thrown.
  writeTinyCheckpoint(join(zoo, 'missing-tensor'), { omitTensors: ['multi_modal_projector.linear_2.weight'] });
  mkdirSync(join(zoo, 'not-a-model'));
  // A second folder named 'good' elsewhere, and one named 'reference' that is not the bundled model.
  single = join(root, 'elsewhere', 'good');
  writeTinyCheckpoint(single, { seed: 2 });
  writeTinyCheckpoint(join(root, 'other', 'reference'), { seed: 3 });
  writeFileSync(join(root, 'notes.txt'), 'not a folder');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ModelRegistry', () => {
  it('lists the bundled model, TOKENLAB_MODELS entries and broken folders with their reason', async () => {
    const env = [zoo, single, join(root, 'other', 'reference'), join(root, 'does-not-exist')].join(delimiter);
    const registry = new ModelRegistry({ root, envModels: env });
    const list = await registry.list();
    for (const s of list) expect(ModelSummary.parse(s)).toEqual(s);
    expect(list.map((s) => [s.id, s.source, s.state])).toEqual([
      ['reference', 'bundled', 'ok'],
      ['good', 'env', 'ok'],
      ['missing-tensor', 'env', 'broken'],
      ['good-2', 'env', 'ok'],
      ['reference-2', 'env', 'ok'],
      ['does-not-exist', 'env', 'broken'],
    ]);
    const reference = list[0]!;
    expect(reference.bundled).toBe(true);
    expect(reference.digest).toMatchObject({ grid: { rows: 4, cols: 4 }, visualTokensPerImage: 16, vision: { layers: 2, layersRun: 1, patchSize: 8 }, text: { layers: 2, heads: 4, kvHeads: 4 } });
    expect(list[1]!.digest?.text.kvHeads).toBe(2);
    const broken = list[2]!;
    expect(broken.problem?.message).toContain('multi_modal_projector.linear_2.weight');
    expect(broken.problem?.hint).toBeTruthy();
    expect(broken.digest).toBeUndefined();
    expect(list[5]!.problem?.message).toMatch(/not a folder/);
  });

  it('keeps ids stable, adds folders at run time, and names unknown ids', async () => {
    const registry = new ModelRegistry({ root, envModels: zoo });
    expect(registry.folders().map((f) => f.id)).toEqual(['reference', 'good', 'missing-tensor']);
    const added = registry.add(single);
    expect(added).toMatchObject({ id: 'good-2', source: 'added' });
    expect(registry.add(single)).toEqual(added);
    expect(registry.add(join(zoo, 'good')).source).toBe('env');
    expect(registry.folders().map((f) => f.id)).toEqual(['reference', 'good', 'missing-tensor', 'good-2']);
    expect(registry.byId('good-2').dir).toBe(single);
    expect(() => registry.byId('nope')).toThrow(/known: reference, good, missing-tensor, good-2/);
  });

  it('finds the bundled model relative to the package root, not the working directory', () => {
    const registry = new ModelRegistry({ root: join(root, 'zoo'), envModels: '' });
    expect(registry.hasBundled()).toBe(false);
    expect(registry.folders()).toEqual([]);
    const repo = resolve(import.meta.dirname, '../../..');
    const cwd = process.cwd();
    process.chdir(root);
    try {
      expect(new ModelRegistry({ envModels: '' }).bundledDir()).toBe(join(repo, 'models', 'reference'));
    } finally {
      process.chdir(cwd);
    }
  });
});
