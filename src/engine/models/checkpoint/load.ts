/**
 * loadModel: a Hugging Face LLaVA-1.5 folder → LoadedModel, checked before anything runs:
 * config.json (model_type 'llava'), preprocessor_config.json, the weights' headers (every expected
 * tensor present with the shape the config implies; truncation detected from the headers), the
 * tokenizer and the prompt format. Tensor data is read lazily by the runtime; `checkValues` reads
 * every tensor now to find NaN/Inf up front (the runtime's reads check them anyway).
 */
import { basename, join, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { parseLlavaConfig } from './config';
import { CheckpointError } from './errors';
import { expectedTensors } from './expected';
import { readJsonObject } from './json';
import { parsePreprocessorConfig } from './preprocessor';
import { DEFAULT_PROMPT_TEMPLATE, buildPrompt, validatePromptTemplate } from './prompt';
import { loadTokenizer } from './tokenizer';
import type { LlavaConfig, LoadedModel, TensorStore } from './types';
import { openWeights } from './weights';

/** Progress of a load: `stage` in order config → weights → values (only with checkValues) → tokenizer. */
export interface LoadProgress {
  stage: 'config' | 'weights' | 'values' | 'tokenizer';
  done: number;
  total: number;
  /** The tensor just read, during the 'values' stage. */
  tensor?: string;
}

/** Options of loadModel. */
export interface LoadOptions {
  /** Read every tensor now and fail on NaN/Inf (slow for big models: reads all weights). Default false. */
  checkValues?: boolean;
  onProgress?: (progress: LoadProgress) => void;
}

/**
 * Checks that every tensor the config requires exists with the right shape and a readable dtype,
 * and that the optional ones (unused ViT tail, post-layernorm) have the right shape when present.
 * Reads headers only. Returns every problem found (empty when the weights match the config).
 */
export function validateModel(config: LlavaConfig, weights: TensorStore, weightsFile = 'weights'): CheckpointError[] {
  const problems: CheckpointError[] = [];
  for (const { name, shape, optional } of expectedTensors(config)) {
    if (!weights.has(name)) {
      if (!optional) {
        problems.push(new CheckpointError({
          kind: 'missing-tensor', file: weightsFile, tensor: name, reason: 'tensor not found in the checkpoint',
          hint: 'The checkpoint is incomplete or belongs to a different architecture: re-download it, or check that config.json matches the weights.',
        }));
      }
      continue;
    }
    try {
      const info = weights.info(name);
      if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
        problems.push(new CheckpointError({
          kind: 'wrong-shape', file: info.file, tensor: name,
          reason: `shape is [${info.shape.join(', ')}] but config.json implies [${shape.join(', ')}]`,
          hint: 'config.json does not match the weights: use the config.json that came with these weights.',
        }));
      }
    } catch (err) {
      if (err instanceof CheckpointError) problems.push(err);
      else throw err;
    }
  }
  return problems;
}

function checkConsistency(dir: string, model: Omit<LoadedModel, 'prompt' | 'weights'>): void {
  const { config, preprocessor, tokenizer } = model;
  const preprocessorFile = join(dir, 'preprocessor_config.json');
  const size = config.vision.imageSize;
  if (preprocessor.cropHeight !== size || preprocessor.cropWidth !== size) {
    throw new CheckpointError({
      kind: 'bad-config', file: preprocessorFile,
      reason: `crop_size ${preprocessor.cropHeight}×${preprocessor.cropWidth} differs from vision_config.image_size ${size}`,
      hint: 'The vision tower\'s position embeddings fix the input size: use the preprocessor_config.json that came with the model.',
    });
  }
  if (tokenizer.vocabSize > config.text.vocabSize) {
    throw new CheckpointError({
      kind: 'bad-tokenizer', file: join(dir, 'tokenizer.json'),
      reason: `the tokenizer has ${tokenizer.vocabSize} ids but text_config.vocab_size is ${config.text.vocabSize}`,
      hint: 'The tokenizer belongs to another model: use the tokenizer files that came with these weights.',
    });
  }
}

/**
 * Loads the model folder `dir`. Throws CheckpointError naming the file (and tensor) on: missing
 * file, invalid JSON (e.g. a text file as config.json), unknown model_type, bad config values,
 * truncated or malformed safetensors, missing tensor, wrong shape, unsupported dtype, NaN/Inf
 * (with checkValues), tokenizer problems and a bad prompt_template. The caller owns
 * `model.weights` and should `close()` it when done.
 */
export async function loadModel(dir: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new CheckpointError({ kind: 'missing-file', file: root, reason: 'not a folder', hint: 'Pass the folder that holds config.json, the safetensors weights and tokenizer.json.' });
  }
  const progress = options.onProgress ?? (() => {});
  progress({ stage: 'config', done: 0, total: 1 });
  const configFile = join(root, 'config.json');
  const rawConfig = readJsonObject(configFile, 'A model folder needs config.json (Hugging Face LLaVA layout): download it from the model repository.');
  const config = parseLlavaConfig(rawConfig, configFile);
  const preprocessorFile = join(root, 'preprocessor_config.json');
  const preprocessor = parsePreprocessorConfig(readJsonObject(preprocessorFile, 'Download preprocessor_config.json from the model repository (it sets the image size and normalisation).'), preprocessorFile);

  progress({ stage: 'weights', done: 0, total: 1 });
  const weights = openWeights(root, config.text.tieWordEmbeddings);
  try {
    const problems = validateModel(config, weights, weights.where);
    if (problems.length > 0) throw problems[0] as CheckpointError;
    if (options.checkValues) {
      const names = weights.names();
      names.forEach((name, i) => {
        weights.get(name);
        progress({ stage: 'values', done: i + 1, total: names.length, tensor: name });
      });
    }
    progress({ stage: 'tokenizer', done: 0, total: 1 });
    const tokenizer = loadTokenizer(root);
    const name = basename(root) || String(rawConfig._name_or_path ?? 'model');
    checkConsistency(root, { dir: root, name, config, preprocessor, tokenizer });
    const templateSource = typeof tokenizer.tokenizerConfig.prompt_template === 'string'
      ? { template: tokenizer.tokenizerConfig.prompt_template, file: join(root, 'tokenizer_config.json') }
      : { template: config.promptTemplate ?? DEFAULT_PROMPT_TEMPLATE, file: configFile };
    const template = validatePromptTemplate(templateSource.template, templateSource.file);
    progress({ stage: 'tokenizer', done: 1, total: 1 });
    return {
      dir: root,
      name,
      config,
      preprocessor,
      weights,
      tokenizer,
      prompt: (question) => buildPrompt(tokenizer, template, config.imageTokenIndex, question),
    };
  } catch (err) {
    weights.close();
    throw err;
  }
}
