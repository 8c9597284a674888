import { z } from 'zod';

/**
 * Error codes every layer uses. A user sees `message` (what failed, on which input) and
 * `hint` (what to do); `code` lets the UI and tests react without parsing text.
 */
export const ErrorCode = z.enum([
  'invalid-input', // a payload or parameter failed validation
  'bad-media', // a file could not be read as the media it claims to be
  'unsupported', // recognised, but not supported (yet)
  'not-found', // a named thing (file, model, media id) does not exist
  'model-error', // a model folder is broken or a model failed to run
  'cancelled', // the caller cancelled the call
  'engine-crashed', // the engine process died while the call was in flight
  'disconnected', // the client lost its connection to the engine host (browser mode's server)
  'unauthorized',
  'internal', // a bug: anything not anticipated
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The serialisable form of an error, as it crosses processes. */
export const ApiErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
  hint: z.string().optional(),
  /** The file, parameter or tensor the error is about, when there is one. */
  subject: z.string().optional(),
});
export type ApiErrorShape = z.infer<typeof ApiErrorShape>;

/** An error a user can act on: what failed, on which input, and what to do. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly subject?: string;

  constructor(code: ErrorCode, message: string, options: { hint?: string; subject?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.subject !== undefined) this.subject = options.subject;
  }

  /** The plain object sent over IPC/HTTP. */
  toShape(): ApiErrorShape {
    const shape: ApiErrorShape = { code: this.code, message: this.message };
    if (this.hint !== undefined) shape.hint = this.hint;
    if (this.subject !== undefined) shape.subject = this.subject;
    return shape;
  }

  /** Rebuilds an ApiError on the receiving side of a transport. */
  static fromShape(shape: ApiErrorShape): ApiError {
    return new ApiError(shape.code, shape.message, { hint: shape.hint, subject: shape.subject });
  }
}

/**
 * Converts anything thrown into an ApiError. Known ApiErrors pass through; other errors become
 * 'internal' with their message kept, so a bug is still reported and never swallowed.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err && typeof err === 'object' && 'code' in err && 'message' in err) {
    const parsed = ApiErrorShape.safeParse(err);
    if (parsed.success) return ApiError.fromShape(parsed.data);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ApiError('internal', message, { hint: 'This is a bug in TokenLab; please report it with the steps that led here.', cause: err });
}
