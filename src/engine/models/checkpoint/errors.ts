/**
 * The one error type of the checkpoint loader. Every failure names the file (and the tensor,
 * when there is one), says what is wrong, and says what the user can do about it, so the CLI,
 * the UI and test logs can show it as is.
 */

/** Which part of a model folder a CheckpointError is about. */
export type CheckpointErrorKind =
  | 'missing-file'
  | 'bad-json'
  | 'bad-config'
  | 'unknown-model-type'
  | 'bad-header'
  | 'truncated'
  | 'missing-tensor'
  | 'wrong-shape'
  | 'bad-dtype'
  | 'non-finite'
  | 'bad-tokenizer'
  | 'bad-prompt';

/** Where and why; `hint` is the action a user can take. */
export interface CheckpointErrorDetails {
  kind: CheckpointErrorKind;
  file: string;
  tensor?: string;
  reason: string;
  hint: string;
}

/**
 * A problem with a model folder. The message reads
 * "<file>[, tensor <name>]: <reason>. <hint>" and the parts stay available as fields.
 */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
  readonly kind: CheckpointErrorKind;
  readonly file: string;
  readonly tensor: string | undefined;
  readonly reason: string;
  readonly hint: string;

  constructor(details: CheckpointErrorDetails, options?: { cause?: unknown }) {
    const where = details.tensor === undefined ? details.file : `${details.file}, tensor ${details.tensor}`;
    super(`${where}: ${details.reason}. ${details.hint}`, options);
    this.kind = details.kind;
    this.file = details.file;
    this.tensor = details.tensor;
    this.reason = details.reason;
    this.hint = details.hint;
  }
}
