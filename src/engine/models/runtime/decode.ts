/**
 * The decode phase: greedy decoding, one token at a time through every layer's KV cache (all
 * layers + LM head fused into one graph per step), each layer at its own decode position (see hooks.ts on position conventions). `decodeWithoutCache`
 * re-runs the whole sequence per step; it exists to verify the cached path, not for speed.
 */
import type * as ort from 'onnxruntime-node';
import type { KvCache } from './kv-cache';
import { runGraph, type ModelGraphs } from './model-graphs';
import { embedTokens, lmHeadLogits } from './prefill';
import { argmax, causalMask, data, f32, i64 } from './tensors';

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

/**
 * Greedy decoding from prefill's last logits, extending `cache` in place. The first token is
 * argmax(firstLogits); each further token is one run of the fused decode-step graph.
 */
export async function decodeGreedy(graphs: ModelGraphs, table: Float32Array, cache: KvCache, firstLogits: Float32Array, opts: DecodeOptions): Promise<DecodeResult> {
  const cfg = graphs.model.config.text;
  const step = await graphs.decodeStep();
  const ids: number[] = [];
  const stepCacheLengths: number[][] = [];
  let token = argmax(firstLogits);
  while (ids.length < opts.maxNewTokens && !opts.stopIds.includes(token)) {
    ids.push(token);
    if (ids.length === opts.maxNewTokens) break;
    stepCacheLengths.push(cache.layers.map((c) => c.length));
    const feeds: Record<string, ort.Tensor> = { hidden: f32(embedTokens(table, cfg, [token]), [1, cfg.hiddenSize]) };
    cache.layers.forEach((c, l) => {
      feeds[`position_${l}`] = i64([c.nextPosition]);
      feeds[`past_key_${l}`] = f32(c.key, [cache.kvHeads, c.length, cache.headDim]);
      feeds[`past_value_${l}`] = f32(c.value, [cache.kvHeads, c.length, cache.headDim]);
    });
    const res = await runGraph(step.session, step.name, feeds);
    cache.layers.forEach((c, l) => {
      c.key = data(res, `present_key_${l}`, step.name);
      c.value = data(res, `present_value_${l}`, step.name);
      c.positions.push(c.nextPosition);
      c.sources = Int32Array.from([...c.sources, -1]);
      c.length += 1;
      c.nextPosition += 1;
    });
    token = argmax(data(res, 'logits', step.name));
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
      const g = await graphs.decoderLayer(l, {}, false);
      const res = await runGraph(g.session, g.name, { hidden: f32(x, [n, D]), position_ids: i64(Array.from({ length: n }, (_, i) => i)), attn_mask: f32(causalMask(n), [n, n]) });
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
