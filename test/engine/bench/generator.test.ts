import { describe, expect, it } from 'vitest';
import { Prng, itemSeed } from '../../../src/engine/bench/prng';
import { imageItem, trainImage, videoItem } from '../../../src/engine/bench/items';
import { COLORS, PATCH, SHAPES } from '../../../src/engine/bench/palette';
import { relationOf } from '../../../src/engine/bench/questions';
import { createCanvas, drawShape, insideShape, maskBox } from '../../../src/engine/bench/raster';
import { patchLabels, renderObjects, sampleImageScene } from '../../../src/engine/bench/scene';

describe('Prng', () => {
  it('is a pure function of the seed', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const xs = Array.from({ length: 50 }, () => a.nextU32());
    expect(Array.from({ length: 50 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 50 }, () => c.nextU32())).not.toEqual(xs);
    expect(itemSeed(7, 1)).toBe(itemSeed(7, 1));
    expect(itemSeed(7, 1)).not.toBe(itemSeed(7, 2));
  });

  it('rejects an empty range', () => {
    expect(() => new Prng(1).int(0)).toThrow(RangeError);
    expect(() => new Prng(1).pick([])).toThrow(RangeError);
  });
});

describe('image scenes', () => {
  it('are deterministic by seed and index, pixels included', () => {
    const a = imageItem(3003, 17);
    const b = imageItem(3003, 17);
    expect(b).toEqual(a);
    const ra = renderObjects(a.scene.size, a.scene.background, a.scene.objects);
    const rb = renderObjects(b.scene.size, b.scene.background, b.scene.objects);
    expect(Buffer.from(rb.canvas.rgb).equals(Buffer.from(ra.canvas.rgb))).toBe(true);
    expect(imageItem(3004, 17)).not.toEqual(a);
  });

  it('never overlap and every object covers at least 2x2 patches worth of box', () => {
    for (let i = 0; i < 200; i++) {
      const scene = sampleImageScene(new Prng(i), 6);
      const { canvas, boxes } = renderObjects(scene.size, scene.background, scene.objects);
      expect(scene.objects.length).toBeGreaterThan(0);
      for (const o of scene.objects) {
        const box = boxes.get(o.id)!;
        expect(box).toEqual(maskBox(canvas, o.id)); // masks match boxes exactly
        expect(box.x1 - box.x0).toBeGreaterThanOrEqual(2 * PATCH);
        expect(box.y1 - box.y0).toBeGreaterThanOrEqual(2 * PATCH);
        expect(box.x0).toBeGreaterThanOrEqual(0);
        expect(box.x1).toBeLessThanOrEqual(scene.size);
      }
      // Non-overlap: every object keeps all the pixels its shape covers.
      for (const o of scene.objects) {
        const solo = createCanvas(scene.size, scene.size);
        drawShape(solo, o.shape, o.cx, o.cy, o.size, o.rgb, o.id);
        const mine = solo.mask.reduce((n, v) => n + (v === o.id ? 1 : 0), 0);
        const kept = canvas.mask.reduce((n, v) => n + (v === o.id ? 1 : 0), 0);
        expect(kept).toBe(mine);
      }
    }
  });

  it('draws distinct silhouettes', () => {
    const area = (s: (typeof SHAPES)[number]) => {
      let n = 0;
      for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) if (insideShape(s, (x + 0.5) / 32 - 1, (y + 0.5) / 32 - 1)) n++;
      return n;
    };
    const areas = SHAPES.map(area);
    expect(new Set(areas).size).toBe(SHAPES.length);
    for (const a of areas) expect(a).toBeGreaterThan(0.3 * 64 * 64);
  });

  it('labels patches from the exact mask', () => {
    const scene = sampleImageScene(new Prng(5), 4);
    const { canvas } = renderObjects(scene.size, scene.background, scene.objects);
    const labels = patchLabels(canvas, scene.objects);
    const grid = scene.size / PATCH;
    expect(labels.length).toBe(grid * grid * 3);
    for (let p = 0; p < grid * grid; p++) {
      const gx = p % grid;
      const gy = Math.floor(p / grid);
      const centreId = canvas.mask[(gy * PATCH + 8) * scene.size + gx * PATCH + 8]!;
      if (labels[p * 3 + 2]! === 255) {
        const o = scene.objects.find((x) => x.id === centreId)!;
        expect(labels[p * 3]).toBe(COLORS.indexOf(o.color) + 1);
        expect(labels[p * 3 + 1]).toBe(SHAPES.indexOf(o.shape) + 1);
      }
      if (labels[p * 3 + 2]! === 0) expect(labels[p * 3]).toBe(0);
    }
  });
});

describe('image questions', () => {
  it('have answers consistent with the scene', () => {
    for (let i = 0; i < 300; i++) {
      const { scene, question: q } = imageItem(11, i);
      const objs = scene.objects;
      const about = objs.filter((o) => q.about.includes(o.id));
      switch (q.type) {
        case 'color': {
          const shape = /the (\w+)\?/.exec(q.question)![1];
          const m = objs.filter((o) => o.shape === shape);
          expect(m).toHaveLength(1);
          expect(q.answer).toBe(m[0]!.color);
          break;
        }
        case 'shape': {
          const color = /the (\w+) object/.exec(q.question)![1];
          const m = objs.filter((o) => o.color === color);
          expect(m).toHaveLength(1);
          expect(q.answer).toBe(m[0]!.shape);
          break;
        }
        case 'count':
          expect(q.answer).toBe(String(about.length));
          break;
        case 'exist': {
          const [, c, s] = /is there a (\w+) (\w+)\?/.exec(q.question)!;
          expect(q.answer).toBe(objs.some((o) => o.color === c && o.shape === s) ? 'yes' : 'no');
          break;
        }
        case 'relation': {
          const [a, b] = q.about.map((id) => objs.find((o) => o.id === id)!);
          expect(relationOf(a!, b!)).toBe(q.answer);
          break;
        }
      }
    }
  });

  it('rotate through every type and answer with one word', () => {
    const types = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const { question } = imageItem(1, i);
      types.add(question.type);
      expect(question.answer).toMatch(/^\w+$/);
    }
    expect(types.size).toBe(5);
    const t = trainImage(1, 3);
    expect(t.questions.length).toBeGreaterThan(3);
  });
});

describe('video scenes', () => {
  it('are deterministic and their questions need their frames', () => {
    expect(videoItem(9, 3)).toEqual(videoItem(9, 3));
    for (let i = 0; i < 120; i++) {
      const { scene, question: q } = videoItem(9, i);
      expect(q.frames!.length).toBeGreaterThan(0);
      const target = scene.tracks.find((t) => t.id === q.about[0])!;
      switch (q.type) {
        case 'appears_last':
          // Not answerable from the last frame alone: someone else is there when it appears.
          expect(scene.tracks.filter((t) => t !== target && t.start <= target.start && t.end > target.start).length).toBeGreaterThan(0);
          expect(scene.tracks.every((t) => t === target || t.start < target.start)).toBe(true);
          expect(q.frames).toEqual([target.start - 1, target.start]);
          break;
        case 'frame_count':
          expect(q.answer).toBe(String(target.end - target.start));
          break;
        case 'direction':
          expect(q.answer).toBe(target.vx < 0 ? 'left' : 'right');
          break;
        case 'co_present': {
          const with_ = scene.tracks.filter((t) => t !== target && t.start <= target.start && t.end > target.start);
          expect(with_).toHaveLength(1);
          expect(q.answer).toBe(with_[0]!.shape);
          // A decoy of another shape is in the video but not in that frame.
          expect(scene.tracks.some((t) => !with_.includes(t) && t !== target && t.shape !== q.answer)).toBe(true);
          break;
        }
      }
    }
  });
});
