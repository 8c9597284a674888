/**
 * TransPrune — token transition pruning (arXiv 2507.20630, CVPR 2026). Reference code:
 * github.com/liaolea/TransPrune, `llava/model/modeling_llama_transprune.py`
 * (`compute_transf_weight`, `transprune_forward`, `transprune_rank_drop`). METHODS.md §2.
 *
 * Needs, per accumulation layer: each sublayer's normalised input and its output before the
 * residual (attention: input RMSNorm output and o_proj output; FFN: post-attention RMSNorm output
 * and MLP output) — or, reduced in the graph, the per-token norm ratio and cosine; at each pruning
 * point, the NEXT layer's RMSNorm + q/k + RoPE applied to the current hidden states, giving the
 * head-mean attention of the rows after the visual block over the visual columns (IGA).
 *
 * TTV_F = m_F · softmax(dir_F) over ALL tokens of the sequence, m_F = ‖x_out‖/‖x_in‖,
 * dir_F = 1 − cos(x_in, x_out) (code, default) or 1 − |cos| (paper eq. 2, option 'abs-cos'; the
 * code's abs variants are commented out). TTV_ℓ = TTV_attn + TTV_ffn, accumulated over layers
 * 6..11 (0-based) up to the pruning layer and re-indexed to the survivors after each prune.
 * IGA = mean over those query rows of the visual columns. score = TTV/ΣTTV + IGA/ΣIGA (α = 0.5 up
 * to a factor 2). Keep the top-k, ascending; compact positions (P2).
 * Schedule: keep int(|V|·ρ) of the ORIGINAL count, ρ = 0.875, 0.625, 0.125 after 0-based layers
 * 6, 8, 11 of 32 (576 → 504 → 360 → 72), the same cut fractions on other depths (depth.ts).
 *
 * Retention mapping (ours): the paper's ratios raised to a power γ (γ = 1 is the paper, γ = 0 no
 * pruning), γ solved so the layer-averaged visual count (tokens entering each layer) is
 * retention·|V|. The paper schedule averages 236.25 of 576 on 32 layers (retention ≈ 0.41); the
 * lowest reachable is the share of layers before the first prune (7/32 ≈ 0.22) — below that the
 * achieved value is reported, or the layers must be moved earlier.
 */
import { layerAveragedCount, scheduleAtDepth, solveIncreasing, type ScheduleStage } from './depth';
import { norm, dot, row, type Matrix } from './matrix';
import { addDividedRow64 } from './similarity';

export const TRANSPRUNE_PAPER_LAYERS = [6, 8, 11] as const;
export const TRANSPRUNE_PAPER_RATIOS = [0.875, 0.625, 0.125] as const;
/** 0-based accumulation layers of the paper (1-based 7..12). */
export const TRANSPRUNE_PAPER_ACCUMULATION = { first: 6, last: 11 } as const;

export type TransitionDirection = 'cos' | 'abs-cos';

/** Per-token norm ratio ‖out‖/‖in‖ and cosine(in, out) of one sublayer ([n × d] each). */
export function transitionStats(input: Matrix, output: Matrix): { ratio: Float64Array; cos: Float64Array } {
  const n = input.rows;
  const ratio = new Float64Array(n);
  const cos = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = row(input, i);
    const b = row(output, i);
    const na = norm(a);
    const nb = norm(b);
    ratio[i] = na > 0 ? nb / na : 0;
    cos[i] = na > 0 && nb > 0 ? dot(a, b) / (na * nb) : 0;
  }
  return { ratio, cos };
}

/** TTV of one sublayer for every token: ratio ⊙ softmax(1 − cos) (or 1 − |cos|), softmax over all tokens. */
export function tokenTransitionVariation(stats: { ratio: ArrayLike<number>; cos: ArrayLike<number> }, direction: TransitionDirection = 'cos'): Float64Array {
  const n = stats.cos.length;
  const dir = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const c = stats.cos[i]!;
    dir[i] = 1 - (direction === 'abs-cos' ? Math.abs(c) : c);
    max = Math.max(max, dir[i]!);
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    dir[i] = Math.exp(dir[i]! - max);
    sum += dir[i]!;
  }
  for (let i = 0; i < n; i++) dir[i] = (stats.ratio[i]! * dir[i]!) / sum;
  return dir;
}

/** IGA ∈ R^|V|: the mean over query rows of the visual columns of [rows × |V|] attention. */
export function instructionGuidedAttention(textToVisual: Matrix): Float64Array {
  const out = new Float64Array(textToVisual.cols);
  for (let i = 0; i < textToVisual.rows; i++) addDividedRow64(out, 0, textToVisual.data, i * textToVisual.cols, out.length, textToVisual.rows);
  return out;
}

/** score = a/Σa + b/Σb (a zero sum contributes nothing). */
export function transPruneScore(ttv: ArrayLike<number>, iga: ArrayLike<number>): Float64Array {
  const sum = (x: ArrayLike<number>): number => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i]!;
    return s;
  };
  const st = sum(ttv);
  const si = sum(iga);
  return Float64Array.from({ length: ttv.length }, (_, j) => (st > 0 ? ttv[j]! / st : 0) + (si > 0 ? iga[j]! / si : 0));
}

/** Accumulated TTV over the visual tokens, re-indexed to the survivors after each prune (code). */
export class TtvAccumulator {
  private readonly perLayer: Float64Array[] = [];

  /** Adds one layer's TTV restricted to the current visual tokens. */
  add(visualTtv: ArrayLike<number>): void {
    if (this.perLayer.length > 0 && this.perLayer[0]!.length !== visualTtv.length) {
      throw new RangeError(`TTV for ${visualTtv.length} visual tokens, but ${this.perLayer[0]!.length} are live`);
    }
    this.perLayer.push(Float64Array.from(visualTtv));
  }

  /** Σ over the stored layers. */
  total(): Float64Array {
    const n = this.perLayer[0]?.length ?? 0;
    const out = new Float64Array(n);
    for (const t of this.perLayer) for (let j = 0; j < n; j++) out[j]! += t[j]!;
    return out;
  }

  /** Keeps only the entries at `kept` positions, in that order. */
  reindex(kept: readonly number[]): void {
    for (let l = 0; l < this.perLayer.length; l++) this.perLayer[l] = Float64Array.from(kept, (k) => this.perLayer[l]![k]!);
  }
}

/** Keep counts int(|V|·ρᵞ), at least 1, at the paper's layers scaled to `numLayers` (γ = 1: the paper). */
export function transPruneSchedule(visualCount: number, numLayers: number, gamma = 1): ScheduleStage[] {
  const counts = TRANSPRUNE_PAPER_RATIOS.map((r) => Math.max(Math.min(1, visualCount), Math.floor(visualCount * r ** gamma)));
  return scheduleAtDepth(TRANSPRUNE_PAPER_LAYERS, counts, 32, numLayers);
}

/** γ whose schedule averages retention·|V| visual tokens over the layers, and what it achieves. */
export function transPruneGammaForRetention(visualCount: number, retention: number, numLayers: number): { gamma: number; achievedRetention: number } {
  const average = (gamma: number): number => layerAveragedCount(visualCount, transPruneSchedule(visualCount, numLayers, gamma), numLayers);
  const gamma = solveIncreasing((g) => -average(g), -retention * visualCount, 0, 64);
  return { gamma, achievedRetention: average(gamma) / visualCount };
}
