/**
 * The vision phase: frames → ViT (layer by layer, with hooks) → feature layer → LLaVA feature
 * selection → per-frame pooling for video → projector → LLM-width visual tokens.
 *
 * Pooling happens before the projector, as HF LlavaNextVideo's vision_resampler does (the
 * projector is per-token, so pooling first is also cheaper). A single image is never pooled.
 */
import type { LlavaConfig } from '../checkpoint/types';
import type { VitProbeSet } from '../graph/vision-graphs';
import type { FrameSpan, RuntimeHooks, VisualTokensContext, VitProbes } from './hooks';
import { runGraph, type ModelGraphs } from './model-graphs';
import { data, f32 } from './tensors';
import { TokenSequence } from './token-sequence';

/** The visual tokens entering the LLM and how they were laid out. */
export interface VisualTokens {
  /** [count, textHidden]. */
  embeds: Float32Array;
  count: number;
  /** Visual token ids of each row (frame · tokensPerFrame + raster index). */
  ids: Int32Array;
  frames: FrameSpan[];
  tokensPerFrame: number;
  /** Tokens entering every ViT layer, per frame (FLOPs). */
  vitTokenCounts: number[][];
  /** Tokens the projector ran on (after `beforeProjector`, before `afterProjector`). */
  projectorTokens: number;
}

/** HF hidden_states index of the features: 0 = embeddings, i = output of layer i-1. */
export function featureStateIndex(cfg: LlavaConfig): number {
  const total = cfg.vision.numLayers + 1;
  const idx = cfg.visionFeatureLayer < 0 ? total + cfg.visionFeatureLayer : cfg.visionFeatureLayer;
  if (idx < 0 || idx >= total) throw new Error(`config.json: vision_feature_layer ${cfg.visionFeatureLayer} is outside the ${cfg.vision.numLayers}-layer vision tower.`);
  return idx;
}

function hasAny(p: VitProbeSet | undefined): p is VitProbeSet {
  return !!p && (!!p.clsAttention || !!p.keyMean);
}

/** Average/max pooling of a [rows, cols, D] grid with kernel = stride = s (floor, as AvgPool2d). */
export function poolGrid(x: Float32Array, rows: number, cols: number, D: number, s: number, mode: 'average' | 'max'): { data: Float32Array; rows: number; cols: number } {
  const r2 = Math.floor(rows / s);
  const c2 = Math.floor(cols / s);
  const out = new Float32Array(r2 * c2 * D).fill(mode === 'max' ? -Infinity : 0);
  for (let r = 0; r < r2; r++)
    for (let c = 0; c < c2; c++)
      for (let dy = 0; dy < s; dy++)
        for (let dx = 0; dx < s; dx++) {
          const src = ((r * s + dy) * cols + (c * s + dx)) * D;
          const dst = (r * c2 + c) * D;
          for (let d = 0; d < D; d++) out[dst + d] = mode === 'max' ? Math.max(out[dst + d]!, x[src + d]!) : out[dst + d]! + x[src + d]! / (s * s);
        }
  return { data: out, rows: r2, cols: c2 };
}

/**
 * Runs one frame through the ViT; returns the selected features as a sequence (CLS dropped for
 * 'default'). `probeSets[l]` is what `hooks.vitProbes(l)` asked for (asked once per answer).
 */
async function encodeFrame(graphs: ModelGraphs, pixels: Float32Array, frame: number, frameCount: number, hooks: RuntimeHooks, probeSets: readonly (VitProbeSet | undefined)[], counts: number[]): Promise<TokenSequence> {
  const cfg = graphs.model.config;
  const v = cfg.vision;
  const grid = v.imageSize / v.patchSize;
  const featureIdx = featureStateIndex(cfg);
  let lastLayer = featureIdx - 1;
  for (let l = 0; l < v.numLayers; l++) if (hasAny(probeSets[l])) lastLayer = Math.max(lastLayer, l);

  const emb = await graphs.visionEmbeddings();
  const out = await runGraph(emb.session, emb.name, { pixel_values: f32(pixels, [1, v.numChannels, v.imageSize, v.imageSize]) });
  const seq = new TokenSequence(data(out, 'hidden_out', emb.name), v.hiddenSize, new Uint8Array(grid * grid + 1).fill(1).fill(0, 0, 1));
  let features = featureIdx === 0 ? seq.clone() : null;
  const hookLayers = hooks.afterVitLayer && hooks.afterVitLayers ? new Set(hooks.afterVitLayers) : null;
  for (let l = 0; l <= lastLayer; l++) {
    const probeSet = probeSets[l];
    const g = await graphs.visionLayer(l, hasAny(probeSet) ? probeSet : {});
    counts.push(seq.length);
    const res = await runGraph(g.session, g.name, { hidden: f32(seq.hidden, [seq.length, v.hiddenSize]) });
    seq.setHidden(data(res, 'hidden_out', g.name));
    const probes: VitProbes = {};
    if (probeSet?.clsAttention) probes.clsAttention = data(res, 'cls_attn', g.name);
    if (probeSet?.keyMean) probes.keyMean = data(res, 'key_mean', g.name);
    const featuresTaken = l + 1 >= featureIdx;
    if (!hookLayers || hookLayers.has(l)) await hooks.afterVitLayer?.({ frame, frameCount, layer: l, numLayers: v.numLayers, grid: { rows: grid, cols: grid }, seq, probes, featuresTaken });
    if (l + 1 === featureIdx) features = seq.clone();
  }
  if (!features) throw new Error(`vision: feature layer ${featureIdx} was never reached.`);
  if (cfg.visionFeatureSelectStrategy === 'default') {
    if (features.sources[0] !== 0) throw new Error('vision: row 0 is no longer the CLS token; ViT hooks must keep CLS at row 0.');
    const patches: number[] = [];
    for (let i = 1; i < features.length; i++) patches.push(i); // every row but CLS
    features.gather(patches);
  }
  return features;
}

/**
 * Encodes frames (one image = one frame) into LLM-width visual tokens, running the vision hooks.
 * `frames` are preprocessed CHW float32 images of the vision tower's size.
 */
export async function encodeVisual(graphs: ModelGraphs, frames: readonly Float32Array[], hooks: RuntimeHooks = {}): Promise<VisualTokens> {
  const cfg = graphs.model.config;
  const Dv = cfg.vision.hiddenSize;
  const grid = cfg.vision.imageSize / cfg.vision.patchSize;
  const pool = frames.length > 1 && cfg.video ? cfg.video : null;
  const stride = pool?.spatialPoolStride ?? 1;
  const pooledSide = Math.floor(grid / stride);
  const fullCount = cfg.visionFeatureSelectStrategy === 'default' ? grid * grid : grid * grid + 1;
  const tokensPerFrame = pool ? pooledSide * pooledSide : fullCount;

  // Probe requests depend on the layer only: asked once per answer, not per frame.
  const probeSets = Array.from({ length: cfg.vision.numLayers }, (_, l) => hooks.vitProbes?.(l));
  const parts: Float32Array[] = [];
  const ids: number[] = [];
  const spans: FrameSpan[] = [];
  const vitTokenCounts: number[][] = [];
  let start = 0;
  for (let f = 0; f < frames.length; f++) {
    const counts: number[] = [];
    const feats = await encodeFrame(graphs, frames[f]!, f, frames.length, hooks, probeSets, counts);
    vitTokenCounts.push(counts);
    const intact = feats.length === fullCount && feats.sources.every((s, i) => s === i + (fullCount === grid * grid ? 1 : 0));
    if (pool && stride > 1) {
      if (!intact || fullCount !== grid * grid) throw new Error(`video: per-frame ${stride}×${stride} pooling needs the full ${grid}×${grid} patch grid, but frame ${f} has ${feats.length} tokens (merged in the ViT, or the CLS token kept).`);
      const pooled = poolGrid(feats.hidden, grid, grid, Dv, stride, pool.spatialPoolMode);
      parts.push(pooled.data);
      for (let i = 0; i < pooled.rows * pooled.cols; i++) ids.push(f * tokensPerFrame + i);
      spans.push({ frame: f, start, count: pooled.rows * pooled.cols, grid: { rows: pooled.rows, cols: pooled.cols } });
      start += pooled.rows * pooled.cols;
    } else {
      parts.push(feats.hidden);
      // Ids follow the feature rows' ViT sources: patch raster index, or with 'full' the CLS as 0.
      const offset = fullCount === grid * grid ? 1 : 0;
      for (const s of feats.sources) ids.push(f * tokensPerFrame + s - offset);
      spans.push({ frame: f, start, count: feats.length, grid: intact && offset === 1 ? { rows: grid, cols: grid } : null });
      start += feats.length;
    }
  }
  const all = new Float32Array(start * Dv);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  const seq = new TokenSequence(all, Dv, new Uint8Array(start).fill(1), undefined, Int32Array.from(ids));
  const ctx: VisualTokensContext = { seq, frames: spans, tokensPerFrame };
  await hooks.beforeProjector?.(ctx);
  const probeSet = hooks.projectorProbes?.() ?? {};
  const proj = await graphs.projector(probeSet);
  const res = await runGraph(proj.session, proj.name, { features: f32(seq.hidden, [seq.length, Dv]) });
  const out = new TokenSequence(data(res, 'embeds', proj.name), cfg.text.hiddenSize, seq.visual, seq.positions, seq.sources);
  const after: VisualTokensContext = { seq: out, frames: respan(spans, seq.sources, tokensPerFrame), tokensPerFrame };
  if (probeSet.cosine) after.probes = { cosine: data(res, 'cosine', proj.name), sources: out.sources.slice() };
  await hooks.afterProjector?.(after);
  return { embeds: out.hidden, count: out.length, ids: out.sources, frames: respan(after.frames, out.sources, tokensPerFrame), tokensPerFrame, vitTokenCounts, projectorTokens: seq.length };
}

/** Frame spans recomputed from visual ids after a hook gathered tokens (ids stay frame-major). */
function respan(previous: FrameSpan[], ids: Int32Array, tokensPerFrame: number): FrameSpan[] {
  return previous.map((span) => {
    let first = -1;
    let count = 0;
    ids.forEach((id, i) => {
      if (id >= 0 && Math.floor(id / tokensPerFrame) === span.frame) {
        if (first < 0) first = i;
        count++;
      }
    });
    return { frame: span.frame, start: first < 0 ? ids.length : first, count, grid: count === span.count ? span.grid : null };
  });
}
