/** What the overlay colours mean (stage tints, merges, heat map). */
import { STAGE_COLORS, heatColor } from '../../lib/drawOverlay';

const STAGE_NAMES = { vit: 'dropped in the ViT', vision: 'dropped before the LLM', llm: 'dropped in the LLM', kv: 'dropped from the KV cache' } as const;

/** A one-line legend; with the heat map on it shows the score ramp instead of stage tints. */
export function Legend({ heatmap }: { heatmap: boolean }) {
  return (
    <ul className="legend" aria-label="Overlay legend">
      <li>
        <span className="swatch swatch-kept" /> kept
      </li>
      {heatmap ? (
        <li>
          <span className="swatch" style={{ background: `linear-gradient(90deg, ${heatColor(0)}, ${heatColor(1)})` }} /> dropped: low → high deciding score (unscored drops keep their stage tint)
        </li>
      ) : (
        (Object.keys(STAGE_COLORS) as (keyof typeof STAGE_COLORS)[]).map((stage) => (
          <li key={stage}>
            <span className="swatch" style={{ background: STAGE_COLORS[stage] }} /> {STAGE_NAMES[stage]}
          </li>
        ))
      )}
      <li>
        <span className="swatch swatch-merged" /> merged (ring: where the merged token sits)
      </li>
    </ul>
  );
}
