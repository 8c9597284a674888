/**
 * Schema of `method:list`: every registered compression method as the UI needs it to build its
 * controls — the same description `tokenlab methods --json` prints (registry.describePruner),
 * with each method's parameters as JSON Schema (zod 4's `z.toJSONSchema`, input side, so
 * defaults, bounds, enums and help text are all there).
 */
import { z } from 'zod';
import { PositionConvention, TraceStage } from '../trace';

/** One parameter of a method, as JSON Schema describes it (the subset the UI reads; the rest passes through). */
export const ParamJsonSchema = z
  .object({
    type: z.union([z.string(), z.array(z.string())]).optional(),
    description: z.string().optional(),
    default: z.unknown().optional(),
    enum: z.array(z.unknown()).optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    exclusiveMinimum: z.number().optional(),
    exclusiveMaximum: z.number().optional(),
  })
  .loose();
export type ParamJsonSchema = z.infer<typeof ParamJsonSchema>;

/** A method's parameter object schema: its properties by name. */
export const MethodParamsSchema = z
  .object({
    type: z.literal('object').optional(),
    properties: z.record(z.string(), ParamJsonSchema).default({}),
    required: z.array(z.string()).optional(),
  })
  .loose();

/**
 * What decides which visual tokens a method keeps: nothing about the content ('none': seeded draws,
 * a fixed grid), the image's own attention or features ('visual'), the question's attention to the
 * image ('text'), coverage of the feature space ('diversity'), or ground-truth boxes ('labels': the
 * evaluation-only oracle). The results page compares each class with random on this basis.
 */
export const MethodGuidance = z.enum(['none', 'visual', 'text', 'diversity', 'labels']);
export type MethodGuidance = z.infer<typeof MethodGuidance>;

/** One compression method. */
export const MethodSummary = z.object({
  id: z.string().min(1),
  label: z.string(),
  paper: z.object({ title: z.string(), arxiv: z.string(), url: z.string() }),
  /** Reference implementation, when public. */
  code: z.string().optional(),
  stages: z.array(TraceStage).min(1),
  modalities: z.array(z.enum(['image', 'video'])).min(1),
  positions: PositionConvention,
  /** How retention is met: 'kept' at the (first) pruning point, or as a 'layer-average' (equivalent tokens). */
  retention: z.enum(['kept', 'layer-average']),
  guidance: MethodGuidance,
  params: MethodParamsSchema,
});
export type MethodSummary = z.infer<typeof MethodSummary>;
