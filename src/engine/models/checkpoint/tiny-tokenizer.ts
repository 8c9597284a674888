/**
 * The tokenizer files of a tiny checkpoint: a WordLevel tokenizer.json (lowercasing, whitespace/
 * punctuation pre-tokenizer, BOS added by a TemplateProcessing post-processor like Llama's) and a
 * tokenizer_config.json. The vocabulary covers the default LLaVA-1.5 prompt and the words of the
 * Shapes benchmark, so prompts tokenize without <unk>; the image token sits at `imageTokenIndex`
 * and `<pad>` right after it, as in llava-hf checkpoints (32000 and 32001).
 */

/** Base vocabulary: specials first (ids 0–2 as in Llama), then words; order fixes the ids. */
const BASE_WORDS = [
  '<unk>', '<s>', '</s>',
  // The default vicuna_v1 system prompt and roles.
  'a', 'chat', 'between', 'curious', 'human', 'and', 'an', 'artificial', 'intelligence', 'assistant', '.', 'the', 'gives',
  'helpful', ',', 'detailed', 'polite', 'answers', 'to', "'", 's', 'questions', 'user', ':',
  // Question and answer words (Shapes benchmark style).
  'what', 'which', 'how', 'many', 'is', 'are', 'there', 'of', 'in', 'on', 'image', 'video', 'frame', 'color', 'shape', 'object',
  'objects', 'left', 'right', 'top', 'bottom', 'above', 'below', 'moving', 'red', 'green', 'blue', 'yellow', 'purple', 'orange',
  'white', 'black', 'circle', 'square', 'triangle', 'star', 'yes', 'no', '?',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
];

/** The special tokens and where they are. */
export interface TinyVocabulary {
  /** Token string → id, including specials, the image token and padding tokens. */
  vocab: Record<string, number>;
  imageTokenIndex: number;
  padId: number;
  vocabSize: number;
}

/** The smallest image_token_index a tiny vocabulary allows (the base words come first). */
export const TINY_BASE_VOCAB_SIZE = BASE_WORDS.length;

/**
 * Builds the vocabulary: base words at 0…, filler tokens `<extra_i>` up to `imageTokenIndex`,
 * `<image>`, `<pad>`, then fillers up to `vocabSize`. Throws when the ids do not fit.
 */
export function tinyVocabulary(imageTokenIndex: number, vocabSize: number): TinyVocabulary {
  if (imageTokenIndex < BASE_WORDS.length) throw new Error(`imageTokenIndex must be ≥ ${BASE_WORDS.length} (the base vocabulary), got ${imageTokenIndex}`);
  if (vocabSize < imageTokenIndex + 2) throw new Error(`vocabSize must be ≥ imageTokenIndex + 2 = ${imageTokenIndex + 2} (image and pad tokens), got ${vocabSize}`);
  const vocab: Record<string, number> = {};
  BASE_WORDS.forEach((w, i) => (vocab[w] = i));
  for (let id = BASE_WORDS.length; id < vocabSize; id++) {
    if (id === imageTokenIndex) vocab['<image>'] = id;
    else if (id === imageTokenIndex + 1) vocab['<pad>'] = id;
    else vocab[`<extra_${id}>`] = id;
  }
  return { vocab, imageTokenIndex, padId: imageTokenIndex + 1, vocabSize };
}

function addedToken(id: number, content: string): Record<string, unknown> {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/**
 * tokenizer.json content for the vocabulary (loadable by HF tokenizers and @huggingface/tokenizers).
 * With `addBosToken` its post-processor prepends `<s>` when special tokens are requested, as Llama's does.
 */
export function tinyTokenizerJson(v: TinyVocabulary, addBosToken: boolean): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [addedToken(0, '<unk>'), addedToken(1, '<s>'), addedToken(2, '</s>'), addedToken(v.imageTokenIndex, '<image>'), addedToken(v.padId, '<pad>')],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: addBosToken ? {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    } : null,
    decoder: null,
    model: { type: 'WordLevel', vocab: v.vocab, unk_token: '<unk>' },
  };
}

/** tokenizer_config.json content; `promptTemplate`, when given, is stored as `prompt_template`. */
export function tinyTokenizerConfig(v: TinyVocabulary, addBosToken: boolean, promptTemplate?: string): Record<string, unknown> {
  const decoder: Record<string, unknown> = {};
  for (const [id, content] of [[0, '<unk>'], [1, '<s>'], [2, '</s>'], [v.imageTokenIndex, '<image>'], [v.padId, '<pad>']] as const) {
    const { id: _id, ...rest } = addedToken(id, content);
    decoder[String(id)] = rest;
  }
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    add_bos_token: addBosToken,
    add_eos_token: false,
    bos_token: '<s>',
    eos_token: '</s>',
    unk_token: '<unk>',
    pad_token: '<pad>',
    clean_up_tokenization_spaces: false,
    model_max_length: 4096,
    added_tokens_decoder: decoder,
    ...(promptTemplate === undefined ? {} : { prompt_template: promptTemplate }),
  };
}
