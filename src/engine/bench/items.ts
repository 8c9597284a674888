/**
 * Deterministic benchmark items: item `index` of a split with seed `seed` is a pure function of
 * (seed, index, kind), so any item can be regenerated alone and in any order.
 */
import { itemSeed, Prng } from './prng';
import { IMAGE_QUESTION_TYPES, imageQuestion, type ImageQuestionType, type Question } from './questions';
import { sampleImageScene, type ImageScene } from './scene';
import { sampleVideoScene, type VideoScene } from './video';
import { VIDEO_QUESTION_TYPES, videoQuestion, type VideoQuestionType } from './videoQuestions';

/** Default number of frames per video. */
export const DEFAULT_FRAMES = 8;
/** Salt that separates the video item stream from the image stream of the same split. */
const VIDEO_SALT = 0x3c6ef372;

/** An image scene with one question (a benchmark sample before rendering). */
export interface ImageItem {
  scene: ImageScene;
  question: Question<ImageQuestionType>;
}

/** A video scene with one question. */
export interface VideoItem {
  scene: VideoScene;
  question: Question<VideoQuestionType>;
}

/**
 * Image sample `index` of a split: question types rotate with the index so every type gets an
 * equal share; scenes are resampled (deterministically) until the type has a valid question.
 */
export function imageItem(seed: number, index: number): ImageItem {
  const type = IMAGE_QUESTION_TYPES[index % IMAGE_QUESTION_TYPES.length]!;
  const rng = new Prng(itemSeed(seed, index));
  for (let attempt = 0; attempt < 1000; attempt++) {
    const scene = sampleImageScene(rng, rng.intIn(type === 'relation' ? 2 : 1, 6));
    const question = imageQuestion(type, scene.objects, rng);
    if (question) return { scene, question };
  }
  throw new Error(`imageItem: no '${type}' question found for item ${index} of seed ${seed}`);
}

/** Video sample `index` of a split with `frames` frames; types rotate like imageItem's. */
export function videoItem(seed: number, index: number, frames = DEFAULT_FRAMES): VideoItem {
  const type = VIDEO_QUESTION_TYPES[index % VIDEO_QUESTION_TYPES.length]!;
  const rng = new Prng(itemSeed(seed ^ VIDEO_SALT, index));
  for (let attempt = 0; attempt < 2000; attempt++) {
    const scene = sampleVideoScene(rng, rng.intIn(2, 4), frames);
    const question = videoQuestion(type, scene, rng);
    if (question) return { scene, question };
  }
  throw new Error(`videoItem: no '${type}' question found for item ${index} of seed ${seed}`);
}

/** A training scene: one scene with several questions of every available type. */
export interface TrainScene<S, T extends string> {
  scene: S;
  questions: Question<T>[];
}

/** Training image `index`: 1-6 objects and up to `perType` questions of each type. */
export function trainImage(seed: number, index: number, perType = 2): TrainScene<ImageScene, ImageQuestionType> {
  const rng = new Prng(itemSeed(seed, index));
  const scene = sampleImageScene(rng, rng.intIn(1, 6));
  const questions: Question<ImageQuestionType>[] = [];
  for (const type of IMAGE_QUESTION_TYPES) {
    const seen = new Set<string>();
    for (let k = 0; k < perType * 2 && seen.size < perType; k++) {
      const q = imageQuestion(type, scene.objects, rng);
      if (q && !seen.has(q.question)) {
        seen.add(q.question);
        questions.push(q);
      }
    }
  }
  return { scene, questions };
}

/** Training video `index`: 2-4 tracks and up to `perType` questions of each type. */
export function trainVideo(seed: number, index: number, frames = DEFAULT_FRAMES, perType = 2): TrainScene<VideoScene, VideoQuestionType> {
  const rng = new Prng(itemSeed(seed ^ VIDEO_SALT, index));
  const scene = sampleVideoScene(rng, rng.intIn(2, 4), frames);
  const questions: Question<VideoQuestionType>[] = [];
  for (const type of VIDEO_QUESTION_TYPES) {
    const seen = new Set<string>();
    for (let k = 0; k < perType * 2 && seen.size < perType; k++) {
      const q = videoQuestion(type, scene, rng);
      if (q && !seen.has(q.question)) {
        seen.add(q.question);
        questions.push(q);
      }
    }
  }
  return { scene, questions };
}
