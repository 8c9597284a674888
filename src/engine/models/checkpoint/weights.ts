/**
 * Opens the weights of a model folder as one TensorStore: `model.safetensors`, or the shards listed
 * by `model.safetensors.index.json` (its weight_map says which file holds which tensor). Names are
 * mapped to the canonical scheme (names.ts), and a missing LM head is tied to the embeddings when
 * the config says `tie_word_embeddings`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError } from './errors';
import { readJsonObject } from './json';
import { EMBED_TOKENS, LM_HEAD, canonicalTensorName } from './names';
import { SafetensorsStore, readSafetensorsHeader, type TensorLocation } from './safetensors';

/** File names of the single-file and the sharded layout. */
export const SINGLE_FILE = 'model.safetensors';
export const SHARD_INDEX = 'model.safetensors.index.json';

function shardMap(indexFile: string): Map<string, string> {
  const index = readJsonObject(indexFile, '');
  const weightMap = index.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new CheckpointError({ kind: 'bad-json', file: indexFile, reason: 'no weight_map object', hint: 'Download the index file again from the model repository.' });
  }
  const map = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(weightMap as Record<string, unknown>)) {
    if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\')) {
      throw new CheckpointError({ kind: 'bad-json', file: indexFile, tensor, reason: `weight_map entry ${JSON.stringify(shard)} is not a file name`, hint: 'Download the index file again.' });
    }
    map.set(tensor, shard);
  }
  return map;
}

/**
 * Opens every safetensors file of `dir` (headers only). Throws CheckpointError 'missing-file' when
 * there are no weights or a shard named by the index is absent, 'missing-tensor' when the index
 * lists a tensor its shard lacks, plus whatever reading a header throws (truncated, bad header).
 */
export function openWeights(dir: string, tieWordEmbeddings: boolean): SafetensorsStore {
  const single = join(dir, SINGLE_FILE);
  const indexFile = join(dir, SHARD_INDEX);
  let store: SafetensorsStore;
  // transformers prefers the single file when both exist; so do we.
  if (existsSync(single)) {
    store = new SafetensorsStore(single);
    for (const loc of readSafetensorsHeader(single)) store.add(canonicalTensorName(loc.fileName), loc);
  } else if (existsSync(indexFile)) {
    store = new SafetensorsStore(indexFile);
    addShards(store, dir, indexFile);
  } else {
    const found = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.safetensors') || f.endsWith('.bin')) : [];
    throw new CheckpointError({
      kind: 'missing-file', file: single,
      reason: `neither ${SINGLE_FILE} nor ${SHARD_INDEX} exists${found.length ? ` (found: ${found.join(', ')})` : ''}`,
      hint: found.some((f) => f.endsWith('.bin'))
        ? 'PyTorch .bin weights are not supported: download the safetensors version of the model.'
        : 'Download the model\'s safetensors weights into this folder.',
    });
  }
  if (!store.has(LM_HEAD) && tieWordEmbeddings && store.has(EMBED_TOKENS)) store.alias(LM_HEAD, EMBED_TOKENS);
  return store;
}

function addShards(store: SafetensorsStore, dir: string, indexFile: string): void {
  const map = shardMap(indexFile);
  const byShard = new Map<string, Map<string, TensorLocation>>();
  for (const shard of new Set(map.values())) {
    const file = join(dir, shard);
    if (!existsSync(file)) {
      throw new CheckpointError({ kind: 'missing-file', file, reason: `shard listed in ${SHARD_INDEX} not found`, hint: 'Download all shards of the model into this folder.' });
    }
    byShard.set(shard, new Map(readSafetensorsHeader(file).map((l) => [l.fileName, l])));
  }
  for (const [tensor, shard] of map) {
    const loc = byShard.get(shard)?.get(tensor);
    if (!loc) {
      throw new CheckpointError({
        kind: 'missing-tensor', file: join(dir, shard), tensor,
        reason: `${SHARD_INDEX} places this tensor here but the shard does not contain it`,
        hint: 'The shards and the index come from different downloads: download them again together.',
      });
    }
    store.add(canonicalTensorName(tensor), loc);
  }
}
