/**
 * Float64 reference of a whole LLaVA forward pass for one image: vision tower → feature layer →
 * projector → splice into the prompt → decoder (positions 0..n-1) → last-row logits, plus greedy
 * decoding by re-running the full sequence (no cache).
 */
import type { LoadedModel } from '../../../src/engine/models/checkpoint/types';
import { decoderLayerRef, embedRef, lmHeadRef } from './decoder';
import type { F64 } from './math';
import { projectorRef, selectFeaturesRef, visionHiddenStatesRef } from './vision';

/** Visual embeddings [N, Dt] for one preprocessed image. */
export function visualEmbedsRef(model: LoadedModel, pixels: Float32Array): { embeds: F64; count: number } {
  const states = visionHiddenStatesRef(pixels, model.weights, model.config.vision);
  const { features, count } = selectFeaturesRef(states, model.config);
  return { embeds: projectorRef(features, count, model.weights, model.config), count };
}

/** Logits of the last row for a full input sequence of embeddings [n, D]. */
export function lastLogitsRef(model: LoadedModel, embeds: F64): F64 {
  const cfg = model.config.text;
  const n = embeds.length / cfg.hiddenSize;
  const positions = Array.from({ length: n }, (_, i) => i);
  let x = embeds;
  for (let l = 0; l < cfg.numLayers; l++) x = decoderLayerRef(x, positions, model.weights, cfg, l).out;
  return lmHeadRef(x.slice((n - 1) * cfg.hiddenSize), 1, model.weights, cfg);
}

/** The spliced prompt embeddings for a question around one image's visual embeddings. */
export function promptEmbedsRef(model: LoadedModel, visual: F64, question: string): F64 {
  const cfg = model.config.text;
  const parts = model.prompt(question);
  const before = embedRef(parts.before, model.weights, cfg);
  const after = embedRef(parts.after, model.weights, cfg);
  const all = new Float64Array(before.length + visual.length + after.length);
  all.set(before);
  all.set(visual, before.length);
  all.set(after, before.length + visual.length);
  return all;
}

/** Greedy ids (stop id excluded) by full re-computation each step. */
export function greedyRef(model: LoadedModel, prompt: F64, maxNewTokens: number, stopId?: number): number[] {
  const cfg = model.config.text;
  const ids: number[] = [];
  let seq = prompt;
  while (ids.length < maxNewTokens) {
    const logits = lastLogitsRef(model, seq);
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    if (best === stopId) break;
    ids.push(best);
    const grown = new Float64Array(seq.length + cfg.hiddenSize);
    grown.set(seq);
    grown.set(embedRef([best], model.weights, cfg), seq.length);
    seq = grown;
  }
  return ids;
}
