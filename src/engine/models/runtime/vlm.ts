/**
 * VlmRuntime: one loaded LLaVA model ready to answer — preprocessing, vision, prefill and decode
 * phases wired together, with hooks for compression methods and per-phase timings.
 *
 * Example:
 *   const rt = new VlmRuntime(await loadModel(dir), { intraOpThreads: 1 });
 *   const r = await rt.answer({ images: ['cat.png'], question: 'What animal is this?' });
 *   r.answer          // 'a cat'
 *   r.tokenCounts.decoder  // tokens entering each decoder layer, for FLOPs
 */
import type { LoadedModel, PromptParts } from '../checkpoint/types';
import { PhaseClock, type PhaseTimings } from '../../metrics/latency';
import { decodeGreedy, decodeModeFor } from './decode';
import type { FrameSpan, PrefillLayout, RuntimeHooks } from './hooks';
import { ModelGraphs } from './model-graphs';
import { prefill, prefillModeFor, spliceSequence } from './prefill';
import { preprocessImage, type ImageSource } from './preprocess';
import type { RuntimeOptions, ThreadSettings } from './session';
import { argmax, softmax } from './tensors';
import { encodeVisual } from './vision';

/** How many tokenized questions a runtime keeps (see VlmRuntime.promptFor). */
const PROMPT_CACHE = 16;

/** One question about one image, or about a video given as frames in time order. */
export interface AnswerRequest {
  /** One image, or several frames of a video (encoded frame by frame, pooled per config.video). */
  images: readonly ImageSource[];
  question: string;
  hooks?: RuntimeHooks;
  /** Default 32. */
  maxNewTokens?: number;
}

/** Everything one answer produced. */
export interface AnswerResult {
  answer: string;
  /** Generated ids, stop token excluded. */
  ids: number[];
  /** The first answer token: its id and the full distribution (logits and softmax). */
  firstToken: { id: number; logits: Float32Array; probs: Float32Array };
  layout: PrefillLayout;
  frames: FrameSpan[];
  /** Token counts for FLOPs: per ViT layer per frame, per decoder layer (all / visual), per decode step. */
  tokenCounts: { vit: number[][]; projector: number; decoder: number[]; decoderVisual: number[]; decodeSteps: number[][] };
  /** Milliseconds per phase: preprocess, vision (ViT + projector), prefill, decode. */
  timings: PhaseTimings;
  provider: string;
  threads: ThreadSettings;
}

/** A model with its graph sessions; reuse one per model (sessions are built lazily and cached). */
export class VlmRuntime {
  readonly graphs: ModelGraphs;
  private embedTable: Float32Array | null = null;
  /** Tokenized prompts of the last questions asked (insertion order = age), see promptFor. */
  private readonly prompts = new Map<string, PromptParts>();

  constructor(
    readonly model: LoadedModel,
    options: RuntimeOptions = {},
  ) {
    this.graphs = new ModelGraphs(model, options);
  }

  /** The token embedding table [vocab, hidden], read once. */
  embeddings(): Float32Array {
    const t = this.model.config.text;
    this.embedTable ??= this.model.weights.get('language_model.model.embed_tokens.weight', [t.vocabSize, t.hiddenSize]);
    return this.embedTable;
  }

  /** Provider(s) the sessions ran on, e.g. 'cpu' or 'cuda'. */
  get provider(): string {
    return this.graphs.providers.join('+') || 'none yet';
  }

  /** Builds every graph an unhooked run needs, so the first measured run is not a cold one. */
  async warm(): Promise<void> {
    const cfg = this.model.config;
    await this.graphs.visionEmbeddings();
    for (let l = 0; l < cfg.vision.numLayers; l++) await this.graphs.visionLayer(l);
    await this.graphs.projector();
    if (prefillModeFor(this.graphs) === 'fused') await this.graphs.decoderSegment(0, cfg.text.numLayers - 1);
    else for (let l = 0; l < cfg.text.numLayers; l++) await this.graphs.decoderLayer(l);
    await this.graphs.lmHead();
    if (decodeModeFor(this.graphs) === 'fused') await this.graphs.decodeStep();
  }

  /** Preprocesses, encodes, prefills and greedily decodes; see AnswerResult. */
  async answer(req: AnswerRequest): Promise<AnswerResult> {
    if (req.images.length === 0) throw new Error('answer: no image given; pass one image or the frames of a video.');
    const hooks = req.hooks ?? {};
    const clock = new PhaseClock();
    const pre = this.model.preprocessor;
    const frames: Float32Array[] = [];
    for (const img of req.images) frames.push(await preprocessImage(img, pre));
    clock.lap('preprocess');
    const visual = await encodeVisual(this.graphs, frames, hooks);
    clock.lap('vision');
    const prompt = this.promptFor(req.question);
    const text = this.model.config.text;
    const { seq, layout } = spliceSequence(this.embeddings(), text, prompt.before, visual.embeds, visual.ids, prompt.after);
    if (hooks.visualPositions === 'original') seq.positions = originalPositions(layout, visual.tokensPerFrame * frames.length);
    const pf = await prefill(this.graphs, seq, layout, hooks);
    clock.lap('prefill');
    await hooks.beforeDecode?.({ cache: pf.cache, seq: pf.seq, layout });
    const eos = this.model.tokenizer.eosId;
    const dec = await decodeGreedy(this.graphs, this.embeddings(), pf.cache, pf.lastLogits, { maxNewTokens: req.maxNewTokens ?? 32, stopIds: eos === undefined ? [] : [eos] });
    clock.lap('decode');
    const firstId = argmax(pf.lastLogits);
    return {
      answer: this.model.tokenizer.decode(dec.ids).trim(),
      ids: dec.ids,
      firstToken: { id: firstId, logits: pf.lastLogits, probs: softmax(pf.lastLogits) },
      layout,
      frames: visual.frames,
      tokenCounts: { vit: visual.vitTokenCounts, projector: visual.projectorTokens, decoder: pf.tokenCounts, decoderVisual: pf.visualCounts, decodeSteps: dec.stepCacheLengths },
      timings: clock.timings,
      provider: this.provider,
      threads: this.graphs.threads,
    };
  }

  /**
   * The model's prompt for `question`, tokenized once per question among the last PROMPT_CACHE
   * asked: a sweep or a multi-method run asks the same question once per method and level, and
   * tokenizing it (~0.07 ms on the reference model) sat in every prefill's measured time.
   * Callers only read the parts.
   */
  private promptFor(question: string): PromptParts {
    let parts = this.prompts.get(question);
    if (parts) return parts;
    parts = this.model.prompt(question);
    if (this.prompts.size >= PROMPT_CACHE) this.prompts.delete(this.prompts.keys().next().value!);
    this.prompts.set(question, parts);
    return parts;
  }

  /** Releases all sessions. */
  dispose(): Promise<void> {
    return this.graphs.dispose();
  }
}

/**
 * Decoder position ids that give every visual token the position it has in the unpruned sequence
 * (prefix + visual id) and continue the text after the visual block from prefix + `visualTotal`
 * (the unpruned visual count). With nothing pruned this is 0..n−1.
 */
export function originalPositions(layout: PrefillLayout, visualTotal: number): number[] {
  const p = layout.prefixLength;
  const out: number[] = [];
  for (let i = 0; i < p; i++) out.push(i);
  for (const id of layout.visualIds) out.push(p + id);
  for (let i = 0; i < layout.suffixLength; i++) out.push(p + visualTotal + i);
  return out;
}
