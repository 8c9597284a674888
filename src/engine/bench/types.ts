/**
 * The record format of a benchmark folder's samples.jsonl (one JSON object per line), as written
 * by the Shapes generator and read by loadBenchmark. Other benchmarks may use the same format.
 */
import { z } from 'zod';

/** [x0, y0, x1, y1] in pixels of the stored media, x1/y1 exclusive. */
export const boxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);

/** One object the question is about, with its box. */
export const boxedObjectSchema = z.object({
  id: z.number().int(),
  box: boxSchema,
  shape: z.string().optional(),
  color: z.string().optional(),
});

const imageMediaSchema = z.object({
  kind: z.literal('image'),
  /** Path relative to the benchmark folder. */
  path: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

const videoMediaSchema = z.object({
  kind: z.literal('video'),
  /** The encoded video, relative to the benchmark folder. */
  path: z.string().min(1),
  /** Lossless PNG frames in time order, relative to the benchmark folder. */
  frames: z.array(z.string().min(1)).min(1),
  fps: z.number().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

/** One line of samples.jsonl. */
export const benchSampleSchema = z.object({
  id: z.string().min(1),
  media: z.discriminatedUnion('kind', [imageMediaSchema, videoMediaSchema]),
  question: z.string().min(1),
  answer: z.string().min(1),
  type: z.string().min(1),
  /** Image: the objects the question is about. Video: one such list per frame. */
  boxes: z.union([z.array(boxedObjectSchema), z.array(z.array(boxedObjectSchema))]),
  /** Video only: the frames the answer depends on (e.g. the appearance frame and the one before). */
  answerFrames: z.array(z.number().int().nonnegative()).optional(),
});

/** One benchmark sample as stored. */
export type BenchSample = z.infer<typeof benchSampleSchema>;
/** An object with its box. */
export type BoxedObject = z.infer<typeof boxedObjectSchema>;

/** meta.json of a benchmark folder. */
export const benchMetaSchema = z.object({
  format: z.literal('tokenlab-bench/1'),
  name: z.string(),
  generator: z.string().optional(),
  split: z.string().optional(),
  seed: z.number().optional(),
  images: z.number().int().nonnegative(),
  videos: z.number().int().nonnegative(),
});

/** A benchmark folder's meta.json. */
export type BenchMeta = z.infer<typeof benchMetaSchema>;
