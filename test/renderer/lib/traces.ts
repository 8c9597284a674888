/**
 * Token traces for the renderer's tests, built by the real TraceBuilder the engine uses, so every
 * trace here passes the same consistency checks as one from a run.
 */
import { TraceBuilder } from '../../../src/shared/trace-builder';
import type { TokenTrace } from '../../../src/shared/trace';

/**
 * A 4×6 image grid (24 tokens), 4 decoder layers, 10 text tokens:
 * step 0 (vision): merges tokens 0,1,6,7 into 'window 0' stored at token 7, drops 2..5 with scores
 *   0.1..0.4, keeps the rest (20 − 4 merged + 1 group = 17 live);
 * step 1 (llm, layer 1): keeps the first 9 live tokens (the group and 6, …), dropping the other 8
 *   with scores; step 2 (kv): compacts layers 0–3 without changing the visual set.
 */
export function mixedTrace(): TokenTrace {
  const b = new TraceBuilder({ frames: 1, rows: 4, cols: 6 }, 'original');
  const live = b.liveIds.length; // 24
  const scores = Array.from({ length: live }, (_, i) => i / 10);
  const sequence = [{ merge: [0, 1, 6, 7], name: 'window 0', at: 7 }, ...Array.from({ length: 16 }, (_, i) => ({ keep: i + 8 }))];
  b.apply({ stage: 'vision', label: 'test merge + drop' }, sequence, scores);
  const second = Array.from({ length: b.visualCount }, (_, i) => (i + 1) / 100);
  b.keep({ stage: 'llm', layer: 1, label: 'test top-k' }, [0, 1, 2, 3, 4, 5, 6, 7, 8], second);
  b.apply({ stage: 'kv', label: 'test compaction', kvLayers: { from: 0, to: 3 } }, b.liveIds.map((_, keep) => ({ keep })));
  return b.finish({ decoderLayers: 4, nonVisualTokens: 10 });
}

/** A 2-frame 3×3 video grid: FastV-like llm step at layer 0 keeping 5 of 18 tokens. */
export function videoTrace(): TokenTrace {
  const b = new TraceBuilder({ frames: 2, rows: 3, cols: 3 }, 'original');
  b.keep({ stage: 'llm', layer: 0, label: 'top-5' }, [0, 4, 9, 13, 17], Array.from({ length: 18 }, (_, i) => i));
  return b.finish({ decoderLayers: 2, nonVisualTokens: 4 });
}
