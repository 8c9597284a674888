/**
 * Reading the small JSON files of a model folder (config.json, preprocessor_config.json,
 * tokenizer files, the shard index) with errors that name the file and say what to do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { z } from 'zod';
import { CheckpointError } from './errors';

/**
 * Parses a JSON file. Throws a CheckpointError of kind 'missing-file' when it does not exist
 * (with `missingHint` as the advice) and 'bad-json' when it is not a JSON object.
 */
export function readJsonObject(file: string, missingHint: string): Record<string, unknown> {
  if (!existsSync(file)) {
    throw new CheckpointError({ kind: 'missing-file', file, reason: 'file not found', hint: missingHint });
  }
  const text = readFileSync(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(
      {
        kind: 'bad-json',
        file,
        reason: `not valid JSON (${err instanceof Error ? err.message : String(err)})`,
        hint: `Replace ${basename(file)} with the original file from the model's repository.`,
      },
      { cause: err },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CheckpointError({
      kind: 'bad-json',
      file,
      reason: 'expected a JSON object at the top level',
      hint: `Replace ${basename(file)} with the original file from the model's repository.`,
    });
  }
  return value as Record<string, unknown>;
}

/** One line per zod issue, e.g. "text_config.hidden_size: expected number". */
export function describeZodIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ');
}
