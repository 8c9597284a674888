/**
 * SparseVLM (arXiv 2410.04417, ICML'25), v1.5 behaviour. Code: github.com/Gumpest/SparseVLMs.
 * Algorithm, schedule scaling and recycling: algorithms/sparsevlm.ts, algorithms/dpc-knn.ts.
 * Raters from the LLM input embeddings; after each stage layer, keep the top-N by the raters'
 * attention, recycle the best-scored deleted tokens into DPC-kNN cluster means placed right after
 * the kept ones; compact positions.
 */
import { z } from 'zod';
import { dpcKnn } from './algorithms/dpc-knn';
import { gatherRows, subMatrix } from './algorithms/matrix';
import { raterScores, recycleCounts, selectRaters, sparseVlmSchedule, type SparseVlmStage } from './algorithms/sparsevlm';
import { complement, topK } from './algorithms/topk';
import { shortfallNote } from './common';
import { definePruner, type TokenEdit } from './define';
import type { SequenceEntry } from '../../shared/trace-builder';

export const sparsevlm = definePruner({
  id: 'sparsevlm',
  label: 'SparseVLM',
  paper: { title: 'SparseVLM: Visual Token Sparsification for Efficient Vision-Language Model Inference', arxiv: '2410.04417', url: 'https://arxiv.org/abs/2410.04417' },
  code: 'https://github.com/Gumpest/SparseVLMs',
  stages: ['llm'],
  modalities: ['image', 'video'],
  params: z.object({
    recycle: z.boolean().default(true).describe('Recycle the best deleted tokens into cluster tokens (v1/v1.5); off = v2.0 behaviour.'),
    schedule: z.array(z.object({ layer: z.number().int().min(0), keep: z.number().int().min(0), clusters: z.number().int().min(0) })).optional().describe('Explicit stages (layer, tokens kept, recycled clusters). Default: the v1.5 table scaled to the requested layer average.'),
  }),
  positions: 'compact',
  retention: 'layer-average',
  guidance: 'text',
  resolveParams: (retention, user, g) => {
    if (user.schedule) return { params: user };
    if (retention >= 1) return { params: { ...user, schedule: [] }, plannedRetention: 1 };
    const { stages, achievedRetention } = sparseVlmSchedule(g.visualTokens, retention, g.decoderLayers, user.recycle);
    return { params: { ...user, schedule: stages }, plannedRetention: achievedRetention, ...shortfallNote(achievedRetention, retention) };
  },
  needs: (p) => ({ inputEmbeddings: true, decoder: p.schedule!.map((s) => ({ layer: s.layer, attention: 'after-visual' as const })) }),
  createState: (): { raters: number[] | null } => ({ raters: null }),
  hooks: {
    afterDecoderLayer(input, { params, state }) {
      const stage: SparseVlmStage | undefined = params.schedule!.find((s) => s.layer === input.layer);
      if (!stage || !input.attention) return;
      if (!state.raters) {
        if (!input.inputEmbeddings) throw new Error('SparseVLM: the LLM input embeddings were not captured');
        state.raters = selectRaters(input.inputEmbeddings.visual, input.inputEmbeddings.text);
      }
      const { visualStart, visualCount } = input.span;
      if (stage.keep >= visualCount) return;
      const textToVisual = subMatrix(input.attention.values, input.attention.rows.map((_, i) => i), visualStart, visualStart + visualCount);
      const raters = state.raters.length ? state.raters : textToVisual.rows ? Array.from({ length: textToVisual.rows }, (_, i) => i) : [];
      const scores = raterScores(textToVisual, raters);
      const kept = topK(scores, stage.keep);
      const sequence: SequenceEntry[] = kept.map((keep) => ({ keep }));
      if (params.recycle) {
        const deleted = complement(visualCount, kept);
        const { recycled, clusters } = recycleCounts(deleted.length);
        const chosen = topK(Float64Array.from(deleted, (j) => scores[j]!), recycled, 'rank').map((i) => deleted[i]!);
        const { centers, assignment } = dpcKnn(gatherRows(input.visualHidden(), chosen), clusters);
        centers.forEach((_, c) => {
          const members = chosen.filter((_, i) => assignment[i] === c);
          if (members.length) sequence.push({ merge: members, name: `recycled ${input.layer}.${c}` });
        });
      }
      const edit: TokenEdit = { label: `SparseVLM: keep ${stage.keep}${params.recycle ? ' + recycled clusters' : ''}`, sequence, scores };
      return edit;
    },
  },
});
