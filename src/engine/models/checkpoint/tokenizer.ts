/**
 * tokenizer.json + tokenizer_config.json → TextTokenizer, with @huggingface/tokenizers (pure JS,
 * works offline). Special ids come from tokenizer_config.json (`bos_token` etc., as strings or
 * AddedToken objects). `encode` never adds special tokens: the prompt builder adds BOS itself when
 * `addBosToken` says so, so BOS cannot be doubled by a post-processor.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { CheckpointError } from './errors';
import { readJsonObject } from './json';
import type { TextTokenizer } from './types';

/** A loaded tokenizer plus what the prompt builder needs. */
export interface LoadedTokenizer extends TextTokenizer {
  /** Whether a BOS token starts every prompt (tokenizer_config's add_bos_token, else the post-processor's behaviour). */
  addBosToken: boolean;
  /** The id of a token string, or undefined when the vocabulary lacks it. */
  tokenToId(token: string): number | undefined;
  /** The raw tokenizer_config.json object (for prompt_template and other keys). */
  tokenizerConfig: Record<string, unknown>;
}

function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

/**
 * Loads the tokenizer of a model folder. tokenizer_config.json is optional (defaults: no special
 * tokens, no BOS); tokenizer.json is required. Throws CheckpointError 'missing-file', 'bad-json',
 * or 'bad-tokenizer' when @huggingface/tokenizers rejects the file.
 */
export function loadTokenizer(dir: string): LoadedTokenizer {
  const tokenizerFile = join(dir, 'tokenizer.json');
  const configFile = join(dir, 'tokenizer_config.json');
  const tokenizerJson = readJsonObject(tokenizerFile, 'Copy tokenizer.json from the model repository (the "fast" tokenizer file); slow tokenizer.model files are not supported.');
  const tokenizerConfig = existsSync(configFile) ? readJsonObject(configFile, '') : {};
  const model = tokenizerJson.model as { unk_token?: unknown } | undefined;
  // WordLevel models need unk_token in the config; clean-up off matches the Rust library's decode.
  const options = {
    ...tokenizerConfig,
    unk_token: tokenContent(tokenizerConfig.unk_token) ?? tokenContent(model?.unk_token),
    clean_up_tokenization_spaces: tokenizerConfig.clean_up_tokenization_spaces ?? false,
  };
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, options);
  } catch (err) {
    throw new CheckpointError(
      { kind: 'bad-tokenizer', file: tokenizerFile, reason: `could not build the tokenizer (${err instanceof Error ? err.message : String(err)})`, hint: 'Replace tokenizer.json with the original from the model repository.' },
      { cause: err },
    );
  }
  const idOf = (key: string): number | undefined => {
    const content = tokenContent(tokenizerConfig[key]);
    return content === undefined ? undefined : tokenizer.token_to_id(content);
  };
  const bosId = idOf('bos_token');
  const eosId = idOf('eos_token');
  const padId = idOf('pad_token');
  let vocabSize = 0;
  for (const id of tokenizer.get_vocab(true).values()) vocabSize = Math.max(vocabSize, id + 1);
  const addBosToken = typeof tokenizerConfig.add_bos_token === 'boolean'
    ? tokenizerConfig.add_bos_token
    : bosId !== undefined && tokenizer.encode('a', { add_special_tokens: true }).ids[0] === bosId;
  return {
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    // Answers are shown without </s> and padding, as HF's batch_decode(skip_special_tokens=True).
    // An empty answer (EOS as the first token) is '' (the library throws on an empty id list).
    decode: (ids) => (ids.length === 0 ? '' : tokenizer.decode(ids, { skip_special_tokens: true })),
    tokenToId: (token) => tokenizer.token_to_id(token),
    vocabSize,
    addBosToken,
    tokenizerConfig,
    ...(bosId === undefined ? {} : { bosId }),
    ...(eosId === undefined ? {} : { eosId }),
    ...(padId === undefined ? {} : { padId }),
  };
}
