/**
 * Reading a media file named by a path on the engine's machine, with errors that say which
 * path failed and why (missing, a folder, unreadable, too large) instead of a bare errno.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { ApiError } from '../../shared/errors';
import { checkSize } from './import';

/** The file's display name, absolute path and bytes. */
export interface FileBytes {
  name: string;
  path: string;
  bytes: Uint8Array;
}

/**
 * Reads the file at `path` (relative paths resolve against the engine's working directory).
 * The size is checked with stat() before reading, so an over-large file is never loaded.
 */
export async function readMediaFile(path: string): Promise<FileBytes> {
  const absolute = resolve(path);
  const name = basename(absolute);
  let size: number;
  try {
    const info = await stat(absolute);
    if (info.isDirectory()) {
      throw new ApiError('bad-media', `${absolute} is a folder, not a file.`, { hint: 'Choose an image file inside it.', subject: absolute });
    }
    size = info.size;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ApiError('not-found', `No file at ${absolute}.`, { hint: 'Check the path and try again.', subject: absolute, cause: err });
    throw new ApiError('bad-media', `Cannot read ${absolute}: ${(err as Error).message}`, { hint: 'Check that the file exists and that you may read it.', subject: absolute, cause: err });
  }
  checkSize(name, size);
  try {
    return { name, path: absolute, bytes: new Uint8Array(await readFile(absolute)) };
  } catch (err) {
    throw new ApiError('bad-media', `Cannot read ${absolute}: ${(err as Error).message}`, { hint: 'Check that you may read the file.', subject: absolute, cause: err });
  }
}
