/**
 * The media imported in this engine session, by id, so later calls (runs, sweeps, previews)
 * can reference an item by id instead of shipping its bytes again. In memory only: it lives
 * as long as the engine process (a restarted engine starts empty, and the UI re-lists).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ApiError } from '../../shared/errors';
import type { MediaItem } from '../../shared/schemas/app';

/** Where an item's bytes come from: kept in memory (imported as bytes) or re-read from disk. */
export type MediaSource = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'path'; path: string };

interface Entry {
  item: MediaItem;
  source: MediaSource;
}

/** An in-memory id → item + source map, oldest first. */
export class MediaStore {
  private readonly entries = new Map<string, Entry>();

  /** A fresh id for a new item (unique per process). */
  newId(): string {
    return randomUUID();
  }

  /** Stores an item under `item.id`, replacing any entry with the same id. */
  add(item: MediaItem, source: MediaSource): MediaItem {
    this.entries.set(item.id, { item, source });
    return item;
  }

  /** Every item, in import order. */
  list(): MediaItem[] {
    return [...this.entries.values()].map((e) => e.item);
  }

  /** The item with this id; throws ApiError('not-found') when there is none. */
  get(id: string): MediaItem {
    return this.entry(id).item;
  }

  /** Forgets an item; returns false when there was none. */
  remove(id: string): boolean {
    return this.entries.delete(id);
  }

  /**
   * The item's bytes. Items imported by path are re-read from disk, so a file deleted since
   * import gives ApiError('not-found') naming the path.
   */
  async readBytes(id: string): Promise<Uint8Array> {
    const { item, source } = this.entry(id);
    if (source.kind === 'bytes') return source.bytes;
    try {
      return new Uint8Array(await readFile(source.path));
    } catch (err) {
      throw new ApiError('not-found', `"${item.name}" can no longer be read from ${source.path}: ${(err as Error).message}`, {
        hint: 'The file was moved or deleted after import. Import it again.',
        subject: source.path,
        cause: err,
      });
    }
  }

  private entry(id: string): Entry {
    const entry = this.entries.get(id);
    if (!entry) {
      throw new ApiError('not-found', `No imported media has the id "${id}".`, {
        hint: 'It may have been removed, or the engine restarted since it was imported. Import the file again.',
        subject: id,
      });
    }
    return entry;
  }
}
