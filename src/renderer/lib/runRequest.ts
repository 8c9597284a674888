/**
 * Builds the `run:start` request from what the method panel holds. Retention is one number shared
 * by every chosen method (the fraction of visual tokens kept, STYLE.md lesson 2), sent in each
 * method's spec. Parameters the user did not set are not sent, so the engine applies the paper
 * default or derives them from retention.
 */
import type { MethodSpec, RunStartRequest } from '../../shared/schemas/runs';

/** The method panel's choices for one run. */
export interface RunChoices {
  mediaId: string;
  question: string;
  expectedAnswer?: string;
  modelId?: string;
  /** Chosen method ids in panel order (the baseline runs anyway and is not listed). */
  methods: readonly string[];
  /** User-set parameters per method id. */
  params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  retention: number;
}

/** The request for `choices`; the question and expected answer are trimmed, an empty expected answer omitted. */
export function buildRunRequest(choices: RunChoices): RunStartRequest {
  const methods: MethodSpec[] = choices.methods.map((id) => ({ id, params: { ...(choices.params[id] ?? {}) }, retention: choices.retention }));
  const expected = choices.expectedAnswer?.trim();
  return {
    mediaId: choices.mediaId,
    question: choices.question.trim(),
    ...(expected ? { expectedAnswer: expected } : {}),
    ...(choices.modelId ? { modelId: choices.modelId } : {}),
    ...(methods.length > 0 ? { methods } : {}),
  };
}
