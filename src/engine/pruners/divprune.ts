/**
 * DivPrune — diversity-based visual token pruning (arXiv 2503.02175, CVPR'25).
 * Code: github.com/vbdi/divprune. Algorithm and deviations: algorithms/divprune.ts.
 * Max-min diverse subset of the LLM-input visual embeddings, k = round(retention·N), original
 * order, compact positions (the LLM starts on the shorter sequence).
 */
import { z } from 'zod';
import { divPruneSelect } from './algorithms/divprune';
import { budgetFor, derivedCount, keepEdit } from './common';
import { definePruner } from './define';

export const divprune = definePruner({
  id: 'divprune',
  label: 'DivPrune',
  paper: { title: 'DivPrune: Diversity-based Visual Token Pruning for Large Multimodal Models', arxiv: '2503.02175', url: 'https://arxiv.org/abs/2503.02175' },
  code: 'https://github.com/vbdi/divprune',
  stages: ['vision'],
  modalities: ['image', 'video'],
  params: z.object({ keep: derivedCount('Visual tokens kept (the paper’s default ratio is 0.098, about 56 of 576).') }),
  positions: 'compact',
  retention: 'kept',
  guidance: 'diversity',
  resolveParams: (retention, user, g) => {
    const keep = user.keep ?? budgetFor(retention, g.visualTokens);
    return { params: { keep }, plannedRetention: keep / g.visualTokens };
  },
  needs: () => ({ projectorCosine: true }),
  createState: () => ({}),
  hooks: {
    beforeLlm(input, { params }) {
      if (params.keep! >= input.features.rows) return;
      return keepEdit('DivPrune max-min diverse subset', divPruneSelect(input.features, params.keep!, input.cosine).sort((a, b) => a - b));
    },
  },
  // The full pairwise cosine matrix (upper triangle, at LLM width): the first pick needs every
  // token's nearest neighbour; the greedy picks after it only read the matrix.
  selectionFlops: (s) => (s.stage === 'vision' ? ((s.before * (s.before + 1)) / 2) * s.widths.llm : 0),
});
