/**
 * The prompt around the visual tokens. Default: LLaVA-1.5's vicuna_v1 conversation format.
 * A folder may override it with a `prompt_template` string (containing `<image>` once and
 * `{question}`) in tokenizer_config.json or config.json; the Jinja `chat_template` of newer
 * folders is not evaluated (LLaVA-1.5's renders the same text as the default, minus the system line).
 */
import { CheckpointError } from './errors';
import type { LoadedTokenizer } from './tokenizer';
import type { PromptParts } from './types';

/** LLaVA-1.5 (vicuna_v1) prompt with one image. */
export const DEFAULT_PROMPT_TEMPLATE =
  "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions. USER: <image>\n{question} ASSISTANT:";

const IMAGE = '<image>';
const QUESTION = '{question}';

/**
 * Checks a template: exactly one `<image>` and at least one `{question}`. `file` names where it
 * came from in the 'bad-prompt' CheckpointError.
 */
export function validatePromptTemplate(template: string, file: string): string {
  const images = template.split(IMAGE).length - 1;
  if (images !== 1 || !template.includes(QUESTION)) {
    throw new CheckpointError({
      kind: 'bad-prompt', file,
      reason: `prompt_template must contain "${IMAGE}" exactly once (found ${images}) and "${QUESTION}"${template.includes(QUESTION) ? '' : ' (missing)'}`,
      hint: `Fix prompt_template, e.g. "USER: ${IMAGE}\\n${QUESTION} ASSISTANT:", or remove it to use LLaVA-1.5's default.`,
    });
  }
  return template;
}

/**
 * Token ids before and after the visual tokens for `question`. When the tokenizer knows `<image>`
 * as the image token, the whole prompt is tokenized at once and split at that id — the way HF's
 * LlavaProcessor tokenizes, so word-boundary handling (e.g. SentencePiece's leading "▁") matches.
 * Otherwise the text on each side of `<image>` is tokenized separately. BOS is prepended when the
 * tokenizer says add_bos_token. Throws when the question itself contains `<image>`.
 */
export function buildPrompt(tokenizer: LoadedTokenizer, template: string, imageTokenIndex: number, question: string): PromptParts {
  if (question.includes(IMAGE)) throw new Error(`The question must not contain "${IMAGE}"; the image goes where the prompt template puts it.`);
  const text = template.split(QUESTION).join(question);
  const [beforeText = '', afterText = ''] = text.split(IMAGE);
  const whole = tokenizer.tokenToId(IMAGE) === imageTokenIndex ? tokenizer.encode(text) : [];
  const at = whole.indexOf(imageTokenIndex);
  let before: number[];
  let after: number[];
  if (at >= 0 && whole.lastIndexOf(imageTokenIndex) === at) {
    before = whole.slice(0, at);
    after = whole.slice(at + 1);
  } else {
    before = beforeText ? tokenizer.encode(beforeText) : [];
    after = afterText ? tokenizer.encode(afterText) : [];
  }
  if (tokenizer.addBosToken && tokenizer.bosId !== undefined) before = [tokenizer.bosId, ...before];
  return { before, after };
}
