/**
 * Question templates for image scenes. Every question has a one-word answer and is generated
 * only when it is unambiguous for the scene (e.g. "what color is the star?" only when there is
 * exactly one star).
 */
import { COLORS, COUNT_WORDS, SHAPES, SHAPE_PLURAL, type ColorName, type ShapeName } from './palette';
import type { Prng } from './prng';
import type { SceneObject } from './scene';

/** Image question types. */
export const IMAGE_QUESTION_TYPES = ['color', 'shape', 'count', 'exist', 'relation'] as const;
/** An image question type. */
export type ImageQuestionType = (typeof IMAGE_QUESTION_TYPES)[number];

/** A question about a scene, its answer, and the ids of the objects it is about. */
export interface Question<T extends string = string> {
  question: string;
  answer: string;
  type: T;
  /** Mask ids of the objects whose tokens the answer depends on. */
  about: number[];
  /** Video only: the frames the answer depends on (sorted). */
  frames?: number[];
}

/** How much larger one axis offset must be than the other for a relation to count as clear. */
export const RELATION_DOMINANCE = 1.6;
/** Relative weight of a counting candidate by its answer (0, 1, 2, 3, 4+): flattens the answer prior. */
const COUNT_WEIGHT = [0.6, 0.5, 1.5, 3, 4];

/** Minimum centre offset in pixels along the relation axis. */
export const RELATION_MIN_OFFSET = 24;

/** The clear spatial relation of `a` to `b` ('left' means a is left of b), or null when unclear. */
export function relationOf(a: { cx: number; cy: number }, b: { cx: number; cy: number }): 'left' | 'right' | 'above' | 'below' | null {
  const dx = a.cx - b.cx;
  const dy = a.cy - b.cy;
  if (Math.abs(dx) >= RELATION_MIN_OFFSET && Math.abs(dx) >= RELATION_DOMINANCE * Math.abs(dy)) return dx < 0 ? 'left' : 'right';
  if (Math.abs(dy) >= RELATION_MIN_OFFSET && Math.abs(dy) >= RELATION_DOMINANCE * Math.abs(dx)) return dy < 0 ? 'above' : 'below';
  return null;
}

const ofShape = (objs: readonly SceneObject[], s: ShapeName) => objs.filter((o) => o.shape === s);
const ofColor = (objs: readonly SceneObject[], c: ColorName) => objs.filter((o) => o.color === c);
const ofBoth = (objs: readonly SceneObject[], c: ColorName, s: ShapeName) => objs.filter((o) => o.color === c && o.shape === s);

/** All candidate questions of one type for a scene (possibly none). */
export function imageCandidates(type: ImageQuestionType, objs: readonly SceneObject[], rng: Prng): Question<ImageQuestionType>[] {
  const out: Question<ImageQuestionType>[] = [];
  switch (type) {
    case 'color':
      for (const s of SHAPES) {
        const m = ofShape(objs, s);
        if (m.length === 1) out.push({ question: `what color is the ${s}?`, answer: m[0]!.color, type, about: [m[0]!.id] });
      }
      break;
    case 'shape':
      for (const c of COLORS) {
        const m = ofColor(objs, c);
        if (m.length === 1) out.push({ question: `what shape is the ${c} object?`, answer: m[0]!.shape, type, about: [m[0]!.id] });
      }
      break;
    case 'count': {
      // Candidates: every colour and shape in the scene plus one absent of each, weighted so
      // that the answers are far less dominated by "1" than the raw scene statistics.
      const attrs: Array<{ label: string; matches: SceneObject[] }> = [];
      const absentColor = COLORS.filter((c) => ofColor(objs, c).length === 0);
      const absentShape = SHAPES.filter((s) => ofShape(objs, s).length === 0);
      const colors = [...new Set(objs.map((o) => o.color))].concat(absentColor.length ? [rng.pick(absentColor)] : []);
      const shapes = [...new Set(objs.map((o) => o.shape))].concat(absentShape.length ? [rng.pick(absentShape)] : []);
      for (const c of colors) attrs.push({ label: `how many ${c} objects are there?`, matches: ofColor(objs, c) });
      for (const s of shapes) attrs.push({ label: `how many ${SHAPE_PLURAL[s]} are there?`, matches: ofShape(objs, s) });
      const weights = attrs.map((a) => COUNT_WEIGHT[Math.min(a.matches.length, COUNT_WEIGHT.length - 1)]!);
      let r = rng.float() * weights.reduce((x, y) => x + y, 0);
      const chosen = attrs.find((_, i) => (r -= weights[i]!) < 0) ?? attrs[attrs.length - 1]!;
      out.push({ question: chosen.label, answer: COUNT_WORDS[chosen.matches.length]!, type, about: chosen.matches.map((o) => o.id) });
      break;
    }
    case 'exist': {
      if (rng.chance(0.5)) {
        const o = rng.pick(objs);
        out.push({ question: `is there a ${o.color} ${o.shape}?`, answer: 'yes', type, about: ofBoth(objs, o.color, o.shape).map((x) => x.id) });
      } else {
        // Hard negatives: the colour or the shape is in the scene, the combination is not.
        for (let attempt = 0; attempt < 20; attempt++) {
          const o = rng.pick(objs);
          const c = rng.chance(0.5) ? o.color : rng.pick(COLORS);
          const s = c === o.color ? rng.pick(SHAPES) : o.shape;
          if (ofBoth(objs, c, s).length > 0) continue;
          const related = objs.filter((x) => x.color === c || x.shape === s).map((x) => x.id);
          out.push({ question: `is there a ${c} ${s}?`, answer: 'no', type, about: related });
          break;
        }
      }
      break;
    }
    case 'relation':
      for (const a of objs) {
        for (const b of objs) {
          if (a === b || ofBoth(objs, a.color, a.shape).length !== 1 || ofBoth(objs, b.color, b.shape).length !== 1) continue;
          const rel = relationOf(a, b);
          if (rel) out.push({ question: `where is the ${a.color} ${a.shape} relative to the ${b.color} ${b.shape}?`, answer: rel, type, about: [a.id, b.id] });
        }
      }
      break;
  }
  return out;
}

/** One question of the given type for the scene, chosen at random among the candidates, or null. */
export function imageQuestion(type: ImageQuestionType, objs: readonly SceneObject[], rng: Prng): Question<ImageQuestionType> | null {
  const c = imageCandidates(type, objs, rng);
  return c.length ? rng.pick(c) : null;
}
