/**
 * TransPrune — token transition pruning (arXiv 2507.20630, CVPR 2026).
 * Code: github.com/liaolea/TransPrune. Algorithm, schedule, retention mapping: algorithms/transprune.ts.
 * TTV (m·softmax(1 − cos) over all tokens, attention + FFN) accumulated over the accumulation
 * layers, plus IGA from the NEXT layer's q/k over the instruction rows; top-k at each stage;
 * compact positions. `direction: 'abs-cos'` is the paper's 1 − |cos| (the code uses 1 − cos).
 */
import { z } from 'zod';
import { cutAfter } from './algorithms/depth';
import { subMatrix } from './algorithms/matrix';
import { topK } from './algorithms/topk';
import {
  TRANSPRUNE_PAPER_ACCUMULATION,
  TtvAccumulator,
  instructionGuidedAttention,
  tokenTransitionVariation,
  transPruneGammaForRetention,
  transPruneSchedule,
  transPruneScore,
} from './algorithms/transprune';
import { keepEdit, shortfallNote } from './common';
import { definePruner, type RunGeometry } from './define';

function accumulation(g: RunGeometry): { first: number; last: number } {
  // The accumulation window starts at the first cut and ends at the last one (6 and 11 of 32).
  return { first: cutAfter(TRANSPRUNE_PAPER_ACCUMULATION.first, 32, g.decoderLayers), last: cutAfter(TRANSPRUNE_PAPER_ACCUMULATION.last, 32, g.decoderLayers) };
}

export const transprune = definePruner({
  id: 'transprune',
  label: 'TransPrune',
  paper: { title: 'TransPrune: Token Transition Pruning for Efficient Large Vision-Language Model', arxiv: '2507.20630', url: 'https://arxiv.org/abs/2507.20630' },
  code: 'https://github.com/liaolea/TransPrune',
  stages: ['llm'],
  modalities: ['image', 'video'],
  params: z.object({
    direction: z.enum(['cos', 'abs-cos']).default('cos').describe("TTV direction term: 'cos' = 1 − cos (reference code), 'abs-cos' = 1 − |cos| (paper eq. 2)."),
    gamma: z.number().min(0).optional().describe('Power γ on the paper keep ratios 0.875/0.625/0.125 (γ = 1: the paper). Default: solved from retention as a layer average.'),
  }),
  positions: 'compact',
  retention: 'layer-average',
  guidance: 'text',
  resolveParams: (retention, user, g) => {
    if (user.gamma !== undefined) return { params: user };
    const { gamma, achievedRetention } = transPruneGammaForRetention(g.visualTokens, retention, g.decoderLayers);
    return { params: { ...user, gamma }, plannedRetention: achievedRetention, ...shortfallNote(achievedRetention, retention) };
  },
  needs: (p, g) => {
    const acc = accumulation(g);
    const stages = transPruneSchedule(g.visualTokens, g.decoderLayers, p.gamma!);
    const layers = new Set([...stages.map((s) => s.layer), ...Array.from({ length: acc.last - acc.first + 1 }, (_, i) => acc.first + i)]);
    return {
      decoder: [...layers].sort((a, b) => a - b).map((layer) => ({
        layer,
        transitions: layer >= acc.first && layer <= acc.last,
        ...(stages.some((s) => s.layer === layer) ? { nextLayer: 'after-visual' as const } : {}),
      })),
    };
  },
  createState: () => ({ ttv: new TtvAccumulator() }),
  hooks: {
    afterDecoderLayer(input, { params, state, geometry }) {
      const { visualStart, visualCount } = input.span;
      if (input.transitions) {
        const t = input.transitions;
        const attn = tokenTransitionVariation({ ratio: t.attnRatio, cos: t.attnCos }, params.direction);
        const ffn = tokenTransitionVariation({ ratio: t.mlpRatio, cos: t.mlpCos }, params.direction);
        state.ttv.add(Float64Array.from({ length: visualCount }, (_, j) => attn[visualStart + j]! + ffn[visualStart + j]!));
      }
      const stage = transPruneSchedule(geometry.visualTokens, geometry.decoderLayers, params.gamma!).find((s) => s.layer === input.layer);
      if (!stage || !input.nextLayer || stage.keep >= visualCount) return;
      const rows = input.nextLayer.rows.map((_, i) => i);
      const iga = instructionGuidedAttention(subMatrix(input.nextLayer.values, rows, visualStart, visualStart + visualCount));
      const ttv = state.ttv.total();
      const score = transPruneScore(ttv.length === visualCount ? ttv : new Float64Array(visualCount), iga);
      const keep = topK(score, stage.keep);
      state.ttv.reindex(keep);
      return keepEdit(`TransPrune stage: keep ${stage.keep}`, keep, score);
    },
  },
});
