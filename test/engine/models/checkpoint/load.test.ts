import { mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { roundTripThrough } from '../../../../src/engine/models/checkpoint/dtypes';
import { CheckpointError } from '../../../../src/engine/models/checkpoint/errors';
import { expectedTensors } from '../../../../src/engine/models/checkpoint/expected';
import { loadModel, validateModel } from '../../../../src/engine/models/checkpoint/load';
import { openWeights } from '../../../../src/engine/models/checkpoint/weights';
import { writeTinyCheckpoint, type TinyCheckpointOptions } from '../../../../src/engine/models/checkpoint/write';

const tmp = mkdtempSync(join(tmpdir(), 'tokenlab-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let folders = 0;

function tiny(options: TinyCheckpointOptions = {}): string {
  return writeTinyCheckpoint(join(tmp, `m${folders++}`), options).dir;
}

async function loadError(dir: string, checkValues = false): Promise<CheckpointError> {
  try {
    const model = await loadModel(dir, { checkValues });
    model.weights.close();
  } catch (err) {
    if (err instanceof CheckpointError) return err;
    throw err;
  }
  throw new Error(`expected loading ${dir} to fail`);
}

const LAYER0_Q = 'language_model.model.layers.0.self_attn.q_proj.weight';

describe('loadModel on tiny checkpoints', () => {
  it('loads every expected tensor with its shape; the writer is deterministic', async () => {
    const a = tiny({ seed: 7 });
    const b = tiny({ seed: 7 });
    expect(readFileSync(join(a, 'model.safetensors')).equals(readFileSync(join(b, 'model.safetensors')))).toBe(true);
    const model = await loadModel(a, { checkValues: true });
    expect(model.name).toBe('m0');
    for (const t of expectedTensors(model.config)) expect(model.weights.info(t.name).shape).toEqual(t.shape);
    expect(validateModel(model.config, model.weights)).toEqual([]);
    model.weights.close();
  });

  it('gives the same values under both naming schemes, sharded or not, in every dtype', async () => {
    const reference = await loadModel(tiny({ seed: 3 }));
    for (const variant of [
      { naming: 'current' as const },
      { shards: 3 },
      { naming: 'current' as const, shards: 2, dtype: 'F16' as const },
      { dtype: 'BF16' as const },
    ]) {
      const dir = tiny({ seed: 3, ...variant });
      const model = await loadModel(dir, { checkValues: true });
      expect(model.weights.names().sort()).toEqual(reference.weights.names().sort());
      for (const name of [LAYER0_Q, 'vision_tower.vision_model.embeddings.patch_embedding.weight', 'language_model.lm_head.weight']) {
        expect(model.weights.get(name)).toEqual(roundTripThrough(reference.weights.get(name), variant.dtype ?? 'F32'));
      }
      model.weights.close();
    }
    reference.weights.close();
  });

  it('writes the current scheme\'s names and a shard index, as transformers ≥ 4.52 does', () => {
    const dir = tiny({ naming: 'current', shards: 2 });
    const index = JSON.parse(readFileSync(join(dir, 'model.safetensors.index.json'), 'utf8')) as { weight_map: Record<string, string> };
    const names = Object.keys(index.weight_map);
    expect(names).toContain('model.language_model.layers.0.self_attn.q_proj.weight');
    expect(names).toContain('model.vision_tower.vision_model.embeddings.class_embedding');
    expect(names).toContain('lm_head.weight');
    expect(new Set(Object.values(index.weight_map))).toEqual(new Set(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']));
  });

  it('loads grouped-query attention with k/v sized by num_key_value_heads', async () => {
    const model = await loadModel(tiny({ text: { hiddenSize: 48, numHeads: 6, numKvHeads: 2 } }));
    expect(model.config.text).toMatchObject({ numHeads: 6, numKvHeads: 2, headDim: 8 });
    expect(model.weights.info('language_model.model.layers.1.self_attn.k_proj.weight').shape).toEqual([16, 48]);
    expect(model.weights.info('language_model.model.layers.1.self_attn.o_proj.weight').shape).toEqual([48, 48]);
    model.weights.close();
  });

  it('ties the LM head to the embeddings when the checkpoint omits it', async () => {
    const model = await loadModel(tiny({ tieWordEmbeddings: true, naming: 'current' }));
    expect(model.weights.get('language_model.lm_head.weight')).toEqual(model.weights.get('language_model.model.embed_tokens.weight'));
    model.weights.close();
  });

  it('does not require tensors LLaVA never uses (ViT tail after the feature layer, post-layernorm)', async () => {
    const model = await loadModel(tiny({ omitTensors: ['vision_tower.vision_model.post_layernorm.weight', 'vision_tower.vision_model.encoder.layers.1.mlp.fc1.weight'] }));
    expect(model.weights.has('vision_tower.vision_model.post_layernorm.weight')).toBe(false);
    model.weights.close();
  });
});

describe('loadModel errors name the file or tensor and say why', () => {
  it('missing folder, config, preprocessor config, weights, tokenizer', async () => {
    expect((await loadError(join(tmp, 'nowhere'))).reason).toBe('not a folder');
    for (const [file, kind] of [['config.json', 'missing-file'], ['preprocessor_config.json', 'missing-file'], ['model.safetensors', 'missing-file'], ['tokenizer.json', 'missing-file']] as const) {
      const dir = tiny();
      unlinkSync(join(dir, file));
      const e = await loadError(dir);
      expect(e.kind).toBe(kind);
      expect(e.file.endsWith(file)).toBe(true);
    }
  });

  it('a text file as config.json', async () => {
    const dir = tiny();
    writeFileSync(join(dir, 'config.json'), 'model_type = llava\nhidden = 32\n');
    const e = await loadError(dir);
    expect(e.kind).toBe('bad-json');
    expect(e.message).toMatch(/config\.json: not valid JSON .*Replace config\.json with the original/);
  });

  it('an unknown model_type', async () => {
    const dir = tiny();
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, model_type: 'qwen2_vl' }));
    expect(await loadError(dir)).toMatchObject({ kind: 'unknown-model-type', reason: "model_type is 'qwen2_vl', expected 'llava'" });
  });

  it('a truncated safetensors file, sharded or not', async () => {
    const single = tiny();
    const file = join(single, 'model.safetensors');
    truncateSync(file, readFileSync(file).length - 100);
    const e = await loadError(single);
    expect(e).toMatchObject({ kind: 'truncated', file });
    expect(e.tensor).toBeDefined();
    const sharded = tiny({ shards: 2 });
    const shard = join(sharded, 'model-00002-of-00002.safetensors');
    truncateSync(shard, 4000);
    expect(await loadError(sharded)).toMatchObject({ kind: 'truncated', file: shard });
  });

  it('a missing tensor, a missing shard and an index pointing at the wrong shard', async () => {
    const dir = tiny({ omitTensors: [LAYER0_Q] });
    const e = await loadError(dir);
    expect(e).toMatchObject({ kind: 'missing-tensor', tensor: LAYER0_Q, file: join(dir, 'model.safetensors') });
    expect(e.message).toContain(`model.safetensors, tensor ${LAYER0_Q}: tensor not found in the checkpoint`);

    const sharded = tiny({ shards: 2 });
    unlinkSync(join(sharded, 'model-00001-of-00002.safetensors'));
    expect(await loadError(sharded)).toMatchObject({ kind: 'missing-file', reason: 'shard listed in model.safetensors.index.json not found' });

    const moved = tiny({ shards: 2 });
    const indexFile = join(moved, 'model.safetensors.index.json');
    const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { weight_map: Record<string, string> };
    index.weight_map[LAYER0_Q] = index.weight_map[LAYER0_Q] === 'model-00001-of-00002.safetensors' ? 'model-00002-of-00002.safetensors' : 'model-00001-of-00002.safetensors';
    writeFileSync(indexFile, JSON.stringify(index));
    expect(await loadError(moved)).toMatchObject({ kind: 'missing-tensor', tensor: LAYER0_Q });
  });

  it('a tensor of the wrong shape, and a config that does not match the weights', async () => {
    const dir = tiny({ replaceTensors: { [LAYER0_Q]: { shape: [32, 16], data: new Float32Array(512) } } });
    const e = await loadError(dir);
    expect(e).toMatchObject({ kind: 'wrong-shape', tensor: LAYER0_Q, reason: 'shape is [32, 16] but config.json implies [32, 32]' });

    const other = tiny();
    const configFile = join(other, 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as { text_config: Record<string, unknown> };
    config.text_config.intermediate_size = 96;
    writeFileSync(configFile, JSON.stringify(config));
    expect((await loadError(other)).message).toMatch(/tensor language_model\.model\.layers\.0\.mlp\.gate_proj\.weight: shape is \[64, 32\] but config\.json implies \[96, 32\]/);
  });

  it('NaN weights, when values are checked at load and whenever the runtime reads them', async () => {
    const poisoned = new Float32Array(32 * 32).fill(0.1);
    poisoned[5] = NaN;
    const dir = tiny({ dtype: 'F16', replaceTensors: { [LAYER0_Q]: { shape: [32, 32], data: poisoned } } });
    expect(await loadError(dir, true)).toMatchObject({ kind: 'non-finite', tensor: LAYER0_Q, reason: '1 of 1024 values are NaN or Inf (first at flat index 5: NaN)' });
    const model = await loadModel(dir);
    expect(() => model.weights.get(LAYER0_Q, [32, 32])).toThrow(/NaN or Inf/);
    model.weights.close();
  });

  it('validateModel lists every problem at once (for a UI that shows them all)', () => {
    const written = writeTinyCheckpoint(join(tmp, 'many'), {
      omitTensors: [LAYER0_Q, 'language_model.model.norm.weight'],
      replaceTensors: { 'multi_modal_projector.linear_2.bias': { shape: [3], data: new Float32Array(3) } },
    });
    const weights = openWeights(written.dir, false);
    const problems = validateModel(written.config, weights, weights.where);
    weights.close();
    expect(problems.map((p) => [p.kind, p.tensor])).toEqual([
      ['wrong-shape', 'multi_modal_projector.linear_2.bias'],
      ['missing-tensor', LAYER0_Q],
      ['missing-tensor', 'language_model.model.norm.weight'],
    ]);
  });

  it('a preprocessor crop that does not fit the vision tower', async () => {
    const dir = tiny();
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ size: { shortest_edge: 64 }, crop_size: { height: 64, width: 64 } }));
    expect((await loadError(dir)).message).toMatch(/preprocessor_config\.json: crop_size 64×64 differs from vision_config\.image_size 32/);
  });
});
