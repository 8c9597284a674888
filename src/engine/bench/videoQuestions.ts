/**
 * Question templates for video scenes. Each answer lives in a few frames, and each template is
 * used only when it cannot be answered from a single arbitrary frame (see REFERENCE_MODEL_NOTES:
 * the prototype's "appears last" shape was the only one in the last frame).
 */
import { COUNT_WORDS } from './palette';
import type { Prng } from './prng';
import type { Question } from './questions';
import { positionAt, visibleAt, type Track, type VideoScene } from './video';

/** Video question types. */
export const VIDEO_QUESTION_TYPES = ['appears_last', 'frame_count', 'direction', 'co_present'] as const;
/** A video question type. */
export type VideoQuestionType = (typeof VIDEO_QUESTION_TYPES)[number];

/** Minimum horizontal travel in pixels for a "move left or right" question. */
export const DIRECTION_MIN_TRAVEL = 16;

const unique = (tracks: readonly Track[], t: Track) => tracks.filter((o) => o.color === t.color && o.shape === t.shape).length === 1;
const frameList = (scene: VideoScene, t: Track) => Array.from({ length: scene.frames }, (_, f) => f).filter((f) => visibleAt(t, f));

/** All candidate questions of one type for a video scene (possibly none). */
export function videoCandidates(type: VideoQuestionType, scene: VideoScene): Question<VideoQuestionType>[] {
  const { tracks, frames } = scene;
  const out: Question<VideoQuestionType>[] = [];
  switch (type) {
    case 'appears_last': {
      const latest = Math.max(...tracks.map((t) => t.start));
      const last = tracks.filter((t) => t.start === latest);
      if (latest === 0 || last.length !== 1 || tracks.length < 2) break;
      const t = last[0]!;
      // Someone else must be visible when it appears and wherever it is visible in the final frame.
      const othersAt = (f: number) => tracks.some((o) => o !== t && visibleAt(o, f));
      if (!othersAt(t.start) || (visibleAt(t, frames - 1) && !othersAt(frames - 1))) break;
      out.push({ question: 'what color is the shape that appears last?', answer: t.color, type, about: [t.id], frames: [t.start - 1, t.start] });
      break;
    }
    case 'frame_count':
      for (const t of tracks) {
        if (!unique(tracks, t)) continue;
        out.push({ question: `in how many frames is there a ${t.color} ${t.shape}?`, answer: COUNT_WORDS[t.end - t.start]!, type, about: [t.id], frames: frameList(scene, t) });
      }
      break;
    case 'direction':
      for (const t of tracks) {
        const travel = positionAt(t, t.end - 1).cx - t.x0;
        if (!unique(tracks, t) || Math.abs(travel) < DIRECTION_MIN_TRAVEL || Math.abs(t.vx) < 2 * Math.abs(t.vy)) continue;
        out.push({ question: `does the ${t.color} ${t.shape} move left or right?`, answer: travel < 0 ? 'left' : 'right', type, about: [t.id], frames: [t.start, t.end - 1] });
      }
      break;
    case 'co_present':
      for (const t of tracks) {
        if (t.start === 0 || !unique(tracks, t)) continue;
        const with_ = tracks.filter((o) => o !== t && visibleAt(o, t.start));
        if (with_.length !== 1) continue;
        const other = with_[0]!;
        // A different shape must appear at some other time, so "the other shape" is not enough.
        const decoy = tracks.some((o) => o !== t && o !== other && o.shape !== other.shape && !visibleAt(o, t.start));
        if (!decoy || other.shape === t.shape) continue;
        out.push({ question: `which shape is present when the ${t.color} ${t.shape} appears?`, answer: other.shape, type, about: [t.id, other.id], frames: [t.start] });
      }
      break;
  }
  return out;
}

/** One question of the given type, chosen at random among the candidates, or null. */
export function videoQuestion(type: VideoQuestionType, scene: VideoScene, rng: Prng): Question<VideoQuestionType> | null {
  const c = videoCandidates(type, scene);
  return c.length ? rng.pick(c) : null;
}

/** The frames (sorted) in which any of the tracks `ids` is visible: where the answer lives. */
export function framesOf(scene: VideoScene, ids: readonly number[]): number[] {
  const set = new Set<number>();
  for (const t of scene.tracks) if (ids.includes(t.id)) for (const f of frameList(scene, t)) set.add(f);
  return [...set].sort((a, b) => a - b);
}
