/** The shared stage timeline and the step each trace is at. */
import { describe, expect, it } from 'vitest';
import { stagePositions, stepIndexAt, stepLabelsAt } from '../../../src/renderer/lib/stagePositions';
import { mixedTrace, videoTrace } from './traces';

describe('stage positions', () => {
  it('orders input → vision → decoder layers → kv across traces', () => {
    const positions = stagePositions([mixedTrace(), videoTrace()]);
    expect(positions.map((p) => p.key)).toEqual(['input', 'vision', 'llm:0', 'llm:1', 'kv']);
    expect(positions.map((p) => p.label)).toEqual(['Input: every visual token', 'Before the LLM', 'After decoder layer 0', 'After decoder layer 1', 'KV cache for decoding']);
  });

  it('maps each position to the last step of each trace at or before it', () => {
    const positions = stagePositions([mixedTrace(), videoTrace()]);
    const mixed = mixedTrace();
    const video = videoTrace();
    expect(positions.map((p) => stepIndexAt(mixed, p))).toEqual([-1, 0, 0, 1, 2]);
    expect(positions.map((p) => stepIndexAt(video, p))).toEqual([-1, -1, 0, 0, 0]);
    expect(stepLabelsAt(mixed, positions[3]!)).toEqual(['test top-k']);
    expect(stepLabelsAt(video, positions[3]!)).toEqual([]);
  });

  it('an untouched trace has only the input position', () => {
    expect(stagePositions([]).map((p) => p.key)).toEqual(['input']);
  });
});
