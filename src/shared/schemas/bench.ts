/**
 * Schema of `bench:samples`: a page of a benchmark's samples (the built-in `shapes:test` by
 * default) with their questions, answers and media paths on the engine's machine, so the UI can
 * open one (`media:importPath`) and fill in its question and expected answer.
 */
import { z } from 'zod';

/** Which page of which benchmark. */
export const BenchSamplesRequest = z.object({
  /** A benchmark folder, or a built-in name such as 'shapes:test' (default). */
  bench: z.string().min(1).optional(),
  /** Only images or only videos. */
  kind: z.enum(['image', 'video']).optional(),
  offset: z.number().int().min(0).optional(),
  /** Samples per page (default 24). */
  limit: z.number().int().min(1).max(200).optional(),
});
export type BenchSamplesRequest = z.infer<typeof BenchSamplesRequest>;

/** One sample, with its media's absolute path on the engine's machine. */
export const BenchSampleSummary = z.object({
  id: z.string().min(1),
  kind: z.enum(['image', 'video']),
  question: z.string(),
  answer: z.string(),
  /** Question type, e.g. 'color', 'count', 'relation'. */
  type: z.string(),
  path: z.string().min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type BenchSampleSummary = z.infer<typeof BenchSampleSummary>;

/** One page of samples, with the total for paging. */
export const BenchSamplesResponse = z.object({
  bench: z.string(),
  /** The benchmark's name from its meta.json, when it has one. */
  name: z.string().optional(),
  /** Samples matching `kind`, before paging. */
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  samples: z.array(BenchSampleSummary),
});
export type BenchSamplesResponse = z.infer<typeof BenchSamplesResponse>;
