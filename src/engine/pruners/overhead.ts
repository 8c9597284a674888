/**
 * A method's own FLOPs in a run, beside the model's (which come from the trace's token counts):
 *   - probes, counted from what the method declared it `needs`, at the token counts the trace
 *     recorded: next-layer q·k scores (q for R rows, k for every row, R·n scores), the head-mean
 *     of attention rows (R·n per head), ViT CLS-attention and head-mean-key outputs;
 *   - its selection arithmetic, per step, from its optional `selectionFlops` declaration.
 * ViT layers run past the feature layer for probes are already in flopsOfRun's extra items.
 * Sorting and thresholds are not multiply-adds and count as 0, as in the papers' FLOPs tables.
 */
import type { ExtraCost } from '../../shared/flops';
import { originalTokenCount, type TokenTrace } from '../../shared/trace';
import type { LlavaConfig } from '../models/checkpoint/types';
import type { AnyPruner, QueryRows, RunGeometry } from './define';

/** The rows a probe of `kind` reads at a layer with `visual` and `total` tokens after `prefix` text rows. */
function probeRows(kind: QueryRows, prefix: number, visual: number, total: number): number {
  const after = total - prefix - visual;
  return kind === 'last' ? 1 : kind === 'after-visual' ? after : visual + after;
}

/**
 * The overhead items of one run of `def` with resolved `params`: one item per kind of cost with a
 * non-zero total. `prefixLength` is the text before the visual block (layout.prefixLength).
 */
export function methodOverhead(def: AnyPruner, params: Record<string, unknown>, geometry: RunGeometry, trace: TokenTrace, config: LlavaConfig, prefixLength: number): ExtraCost[] {
  const t = config.text;
  const v = config.vision;
  const needs = def.needs(params, geometry);
  let probes = 0;
  for (const n of needs.decoder ?? []) {
    const at = trace.layers[n.layer];
    if (!at) continue;
    if (n.attention) probes += probeRows(n.attention, prefixLength, at.visual, at.total) * at.total * t.numHeads;
    if (n.nextLayer) {
      const r = probeRows(n.nextLayer, prefixLength, at.visual, at.total);
      probes += r * t.hiddenSize * t.numHeads * t.headDim + at.total * t.hiddenSize * t.numKvHeads * t.headDim + r * at.total * t.numHeads * t.headDim;
    }
  }
  const vitTokens = geometry.patchGrid.rows * geometry.patchGrid.cols + 1;
  for (const n of needs.vit ?? []) {
    const perFrame = (n.clsAttention ? vitTokens * v.numHeads : 0) + (n.keys ? vitTokens * v.hiddenSize : 0);
    probes += perFrame * geometry.grid.frames;
  }
  let selection = 0;
  if (def.selectionFlops) {
    let live = originalTokenCount(trace.grid);
    for (const step of trace.steps) {
      const after = step.order.length;
      selection += def.selectionFlops({ stage: step.stage, ...(step.layer === undefined ? {} : { layer: step.layer }), before: live, after, widths: { vit: v.hiddenSize, llm: t.hiddenSize } }, params);
      live = after;
    }
  }
  const items: ExtraCost[] = [];
  if (probes > 0) items.push({ label: `${def.id}: probes (attention rows, q·k scores, ViT CLS/keys)`, flops: probes });
  if (selection > 0) items.push({ label: `${def.id}: token selection`, flops: selection });
  return items;
}
