/**
 * preprocessor_config.json (CLIPImageProcessor) → PreprocessorConfig.
 * Missing keys take CLIPImageProcessor's defaults (shortest edge 224, crop 224×224, rescale 1/255,
 * OpenAI CLIP mean/std). `size` may be `{shortest_edge}` or a bare int (older processors);
 * `crop_size` may be `{height, width}` or a bare int. `do_rescale: false` is folded into
 * `rescaleFactor = 1`, so consumers apply one multiplication unconditionally.
 */
import { z } from 'zod';
import { CheckpointError } from './errors';
import { describeZodIssues } from './json';
import type { PreprocessorConfig } from './types';

const OPENAI_CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
const OPENAI_CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

const positiveInt = z.number().int().positive();
const triple = z.tuple([z.number(), z.number(), z.number()]);

const schema = z.looseObject({
  size: z.union([positiveInt, z.looseObject({ shortest_edge: positiveInt.optional(), height: positiveInt.optional(), width: positiveInt.optional() })]).default({ shortest_edge: 224 }),
  crop_size: z.union([positiveInt, z.looseObject({ height: positiveInt, width: positiveInt })]).default({ height: 224, width: 224 }),
  do_resize: z.boolean().default(true),
  do_center_crop: z.boolean().default(true),
  do_normalize: z.boolean().default(true),
  do_rescale: z.boolean().default(true),
  rescale_factor: z.number().positive().default(1 / 255),
  // A single number is broadcast to the three channels, as the HF processor does.
  image_mean: z.union([triple, z.number()]).default(OPENAI_CLIP_MEAN),
  image_std: z.union([triple, z.number().positive()]).default(OPENAI_CLIP_STD),
});

function asTriple(v: [number, number, number] | number): [number, number, number] {
  return typeof v === 'number' ? [v, v, v] : v;
}

/**
 * Validates a parsed preprocessor_config.json object. `file` is used in error messages.
 * Throws CheckpointError 'bad-config' for wrong types, a zero std, or a `size` given as
 * height/width (exact resizing), which LLaVA-1.5 does not use and the pipeline does not implement.
 */
export function parsePreprocessorConfig(raw: Record<string, unknown>, file: string): PreprocessorConfig {
  const result = schema.safeParse(raw);
  const hint = 'Fix preprocessor_config.json (compare with the model repository\'s original).';
  if (!result.success) {
    throw new CheckpointError({ kind: 'bad-config', file, reason: `invalid preprocessor config: ${describeZodIssues(result.error)}`, hint });
  }
  const p = result.data;
  let shortestEdge: number;
  if (typeof p.size === 'number') {
    shortestEdge = p.size;
  } else if (p.size.shortest_edge !== undefined) {
    shortestEdge = p.size.shortest_edge;
  } else {
    throw new CheckpointError({
      kind: 'bad-config',
      file,
      reason: 'size must give shortest_edge (resizing to an exact height/width is not supported)',
      hint: 'Use {"shortest_edge": N} as LLaVA-1.5\'s CLIPImageProcessor does.',
    });
  }
  const crop = typeof p.crop_size === 'number' ? { height: p.crop_size, width: p.crop_size } : p.crop_size;
  const imageStd = asTriple(p.image_std);
  if (imageStd.some((s) => s <= 0)) {
    throw new CheckpointError({ kind: 'bad-config', file, reason: `image_std [${imageStd.join(', ')}] must be positive`, hint });
  }
  return {
    shortestEdge,
    cropHeight: crop.height,
    cropWidth: crop.width,
    doResize: p.do_resize,
    doCenterCrop: p.do_center_crop,
    doNormalize: p.do_normalize,
    rescaleFactor: p.do_rescale ? p.rescale_factor : 1,
    imageMean: asTriple(p.image_mean),
    imageStd,
  };
}
