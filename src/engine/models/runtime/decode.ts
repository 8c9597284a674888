/**
 * The decode phase: greedy decoding, one token at a time through every layer's KV cache, each
 * layer at its own decode position (see hooks.ts on position conventions). Two ways to run a step:
 * - 'fused': all layers + LM head in one graph — one session run per token instead of L + 1,
 *   at the price of a second copy of the decoder weights in that session;
 * - 'per-layer': the prefill layer sessions (they take a past) + the LM head — no extra memory.
 * `decodeModeFor` picks fused unless the decoder weights exceed FUSED_DECODE_MAX_BYTES.
 * `decodeWithoutCache` re-runs the whole sequence per step; it verifies the cached path.
 */
import type * as ort from 'onnxruntime-node';
import type { KvCache, LayerKvCache } from './kv-cache';
import { runGraph, type ModelGraphs } from './model-graphs';
import { decoderLayerWeights, embedTokens, lmHeadLogits } from './prefill';
import { argmax, causalMask, data, emptyPast, f32, i64 } from './tensors';

/** Greedy decoding settings. */
export interface DecodeOptions {
  /** Most tokens to generate, including the first (from prefill logits). */
  maxNewTokens: number;
  /** Stops after emitting any of these (the EOS id, usually). */
  stopIds: readonly number[];
}

/** Generated ids (stop token excluded) and the number of decoder steps run. */
export interface DecodeResult {
  ids: number[];
  /** Cache length per layer at each decode step (FLOPs of decoding). */
  stepCacheLengths: number[][];
}

/** Above this many bytes of float32 decoder weights, decoding reuses the per-layer sessions. */
export const FUSED_DECODE_MAX_BYTES = 2 * 1024 ** 3;

/** How decoding steps run for this model: the configured mode, or by decoder weight size. */
export function decodeModeFor(graphs: ModelGraphs): 'fused' | 'per-layer' {
  const mode = graphs.options.decode ?? 'auto';
  if (mode !== 'auto') return mode;
  const t = graphs.model.config.text;
  const perLayer = decoderLayerWeights(t);
  return 4 * (t.numLayers * perLayer + t.vocabSize * t.hiddenSize) <= FUSED_DECODE_MAX_BYTES ? 'fused' : 'per-layer';
}

/** One cached step for `token` through every layer; extends each layer's cache; returns logits [V]. */
async function stepPerLayer(graphs: ModelGraphs, x: Float32Array, cache: KvCache): Promise<Float32Array> {
  const D = graphs.model.config.text.hiddenSize;
  for (let l = 0; l < cache.layers.length; l++) {
    const c = cache.layer(l);
    const g = await graphs.decoderLayer(l);
    const res = await runGraph(g.session, g.name, {
      hidden: f32(x, [1, D]),
      position_ids: i64([c.nextPosition]),
      attn_mask: f32(new Float32Array(c.length + 1), [1, c.length + 1]),
      past_key: f32(c.key, [cache.kvHeads, c.length, cache.headDim]),
      past_value: f32(c.value, [cache.kvHeads, c.length, cache.headDim]),
    });
    appendStep(c, data(res, 'present_key', g.name), data(res, 'present_value', g.name));
    x = data(res, 'hidden_out', g.name);
  }
  return lmHeadLogits(graphs, x);
}

async function stepFused(graphs: ModelGraphs, x: Float32Array, cache: KvCache): Promise<Float32Array> {
  const step = await graphs.decodeStep();
  const feeds: Record<string, ort.Tensor> = { hidden: f32(x, [1, graphs.model.config.text.hiddenSize]) };
  cache.layers.forEach((c, l) => {
    feeds[`position_${l}`] = i64([c.nextPosition]);
    feeds[`past_key_${l}`] = f32(c.key, [cache.kvHeads, c.length, cache.headDim]);
    feeds[`past_value_${l}`] = f32(c.value, [cache.kvHeads, c.length, cache.headDim]);
  });
  const res = await runGraph(step.session, step.name, feeds);
  cache.layers.forEach((c, l) => appendStep(c, data(res, `present_key_${l}`, step.name), data(res, `present_value_${l}`, step.name)));
  return data(res, 'logits', step.name);
}

function appendStep(c: LayerKvCache, key: Float32Array, value: Float32Array): void {
  c.key = key;
  c.value = value;
  c.positions.push(c.nextPosition);
  c.sources = Int32Array.from([...c.sources, -1]);
  c.length += 1;
  c.nextPosition += 1;
}

/**
 * Greedy decoding from prefill's last logits, extending `cache` in place. The first token is
 * argmax(firstLogits); each further token is one cached step (fused or per layer, see above).
 */
export async function decodeGreedy(graphs: ModelGraphs, table: Float32Array, cache: KvCache, firstLogits: Float32Array, opts: DecodeOptions): Promise<DecodeResult> {
  const cfg = graphs.model.config.text;
  const step = decodeModeFor(graphs) === 'fused' ? stepFused : stepPerLayer;
  const ids: number[] = [];
  const stepCacheLengths: number[][] = [];
  let token = argmax(firstLogits);
  while (ids.length < opts.maxNewTokens && !opts.stopIds.includes(token)) {
    ids.push(token);
    if (ids.length === opts.maxNewTokens) break;
    stepCacheLengths.push(cache.layers.map((c) => c.length));
    token = argmax(await step(graphs, embedTokens(table, cfg, [token]), cache));
  }
  return { ids, stepCacheLengths };
}

/**
 * Greedy decoding without a KV cache: each step runs all layers over the full sequence
 * (positions 0..n-1, no hooks). Same tokens as `decodeGreedy` on an unpruned prefill.
 */
export async function decodeWithoutCache(graphs: ModelGraphs, table: Float32Array, prompt: Float32Array, opts: DecodeOptions): Promise<number[]> {
  const cfg = graphs.model.config.text;
  const D = cfg.hiddenSize;
  const ids: number[] = [];
  let seq = prompt;
  for (;;) {
    const n = seq.length / D;
    let x = seq;
    for (let l = 0; l < cfg.numLayers; l++) {
      const g = await graphs.decoderLayer(l);
      const past = emptyPast(cfg.numKvHeads, cfg.headDim);
      const res = await runGraph(g.session, g.name, { hidden: f32(x, [n, D]), position_ids: i64(Array.from({ length: n }, (_, i) => i)), attn_mask: f32(causalMask(n), [n, n]), past_key: past, past_value: past });
      x = data(res, 'hidden_out', g.name);
    }
    const token = argmax(await lmHeadLogits(graphs, x.slice((n - 1) * D)));
    if (opts.stopIds.includes(token)) break;
    ids.push(token);
    if (ids.length >= opts.maxNewTokens) break;
    const grown = new Float32Array(seq.length + D);
    grown.set(seq);
    grown.set(embedTokens(table, cfg, [token]), seq.length);
    seq = grown;
  }
  return ids;
}
