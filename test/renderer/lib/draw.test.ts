/** drawOverlay on a recording painter: what is painted where, for each token state. */
import { describe, expect, it } from 'vitest';
import { drawOverlay, heatColor, STAGE_COLORS, type Painter } from '../../../src/renderer/lib/drawOverlay';
import { overlayModel } from '../../../src/renderer/lib/overlayModel';
import { mixedTrace } from './traces';

interface Op {
  op: string;
  args: number[];
  fill: string;
}

function recorder(): Painter & { ops: Op[] } {
  const ops: Op[] = [];
  const p = {
    ops,
    fillStyle: '' as Painter['fillStyle'],
    strokeStyle: '' as Painter['strokeStyle'],
    lineWidth: 1,
    clearRect: (...args: number[]) => ops.push({ op: 'clear', args, fill: '' }),
    fillRect: (...args: number[]) => ops.push({ op: 'fill', args, fill: String(p.fillStyle) }),
    beginPath: () => ops.push({ op: 'begin', args: [], fill: '' }),
    moveTo: (...args: number[]) => ops.push({ op: 'move', args, fill: '' }),
    lineTo: (...args: number[]) => ops.push({ op: 'line', args, fill: '' }),
    arc: (...args: number[]) => ops.push({ op: 'arc', args, fill: '' }),
    stroke: () => ops.push({ op: 'stroke', args: [], fill: '' }),
  };
  return p;
}

describe('drawOverlay', () => {
  const picture = { width: 60, height: 40 }; // region: x 10..50, 4×6 cells of 6.67×10

  it('paints nothing over kept tokens and darkens what the crop cuts off', () => {
    const p = recorder();
    const stats = drawOverlay(p, overlayModel(mixedTrace(), -1), { picture, scale: 1, heatmap: false });
    expect(stats).toEqual({ kept: 24, dropped: 0, merged: 0 });
    const fills = p.ops.filter((o) => o.op === 'fill');
    expect(fills.map((f) => f.args)).toEqual([[0, 0, 10, 40], [50, 0, 10, 40]]);
  });

  it('dims and tints dropped tokens by stage, tints and outlines merged ones, rings the target', () => {
    const p = recorder();
    const stats = drawOverlay(p, overlayModel(mixedTrace(), 1), { picture, scale: 2, heatmap: false });
    expect(stats).toEqual({ kept: 8, dropped: 12, merged: 4 });
    const tints = p.ops.filter((o) => o.op === 'fill' && o.fill.includes('0.35'));
    expect(tints).toHaveLength(12);
    expect(tints.filter((t) => t.fill === 'rgba(230, 126, 34, 0.35)')).toHaveLength(4); // vision: orange
    expect(STAGE_COLORS.vision).toBe('#e67e22');
    // Ring at the centre of token 7 (row 1, col 1), in canvas pixels (scale 2).
    const arc = p.ops.find((o) => o.op === 'arc')!;
    expect(arc.args[0]).toBeCloseTo(2 * (10 + 1.5 * (40 / 6)));
    expect(arc.args[1]).toBeCloseTo(2 * 15);
    // The 2×2 group's border is 8 cell edges.
    expect(p.ops.filter((o) => o.op === 'move')).toHaveLength(8);
  });

  it('colours dropped tokens by their score with the heat map on', () => {
    const p = recorder();
    drawOverlay(p, overlayModel(mixedTrace(), 0), { picture, scale: 1, heatmap: true });
    const heat = p.ops.filter((o) => o.op === 'fill' && o.fill.endsWith('0.75)')).map((o) => o.fill);
    expect(heat).toEqual([heatColor(0), heatColor(1 / 3), heatColor(2 / 3), heatColor(1)]);
    expect(heatColor(0)).not.toBe(heatColor(1));
  });
});
