import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaHandlers } from '../../../src/engine/api/media';
import { MediaStore } from '../../../src/engine/media/store';
import { parseResponse, type CallContext } from '../../../src/shared/api';
import { ApiError } from '../../../src/shared/errors';
import { solidImage, text, truncated } from './fixtures';

const context: CallContext = { signal: new AbortController().signal, progress: () => {} };
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenlab-media-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('media handlers', () => {
  it('import → list → preview → remove, with responses that satisfy the contract', async () => {
    const h = createMediaHandlers();
    const item = await h['media:import']({ name: 'wide.webp', data: await solidImage('webp', 2000, 1000) }, context);
    expect(parseResponse('media:import', item)).toEqual(item);
    expect(item).toMatchObject({ name: 'wide.webp', kind: 'image', format: 'webp', width: 2000, height: 1000 });
    expect(item.path).toBeUndefined();

    expect(await h['media:list']({}, context)).toEqual([item]);

    const preview = await h['media:preview']({ id: item.id }, context);
    expect(parseResponse('media:preview', preview)).toEqual(preview);
    expect([preview.width, preview.height]).toEqual([1024, 512]);
    const small = await h['media:preview']({ id: item.id, maxSide: 100 }, context);
    const decoded = await sharp(Buffer.from(small.dataUrl.split(',')[1]!, 'base64')).metadata();
    expect([decoded.width, decoded.height]).toEqual([100, 50]);

    expect(await h['media:remove']({ id: item.id }, context)).toEqual({ removed: true });
    expect(await h['media:remove']({ id: item.id }, context)).toEqual({ removed: false });
    expect(await h['media:list']({}, context)).toEqual([]);
    const err = await rejection(h['media:preview']({ id: item.id }, context));
    expect(err.code).toBe('not-found');
  });

  it('keeps going after refusals: bad files leave the list as it was', async () => {
    const h = createMediaHandlers();
    const good = await h['media:import']({ name: 'a.png', data: await solidImage('png') }, context);
    const cut = await rejection(h['media:import']({ name: 'b.png', data: truncated(await solidImage('png', 400, 300, '#123456')) }, context));
    expect(cut.code).toBe('bad-media');
    const fake = await rejection(h['media:import']({ name: 'c.png', data: text('not a png') }, context));
    expect(fake.code).toBe('bad-media');
    const next = await h['media:import']({ name: 'd.jpg', data: await solidImage('jpeg') }, context);
    expect((await h['media:list']({}, context)).map((i) => i.id)).toEqual([good.id, next.id]);
    expect(good.id).not.toBe(next.id);
  });

  it('imports by path, keeps the path, and re-reads the file for previews', async () => {
    const store = new MediaStore();
    const h = createMediaHandlers(store);
    const file = join(dir, 'from-disk.tiff');
    await writeFile(file, await solidImage('tiff', 300, 200));
    const item = await h['media:importPath']({ path: file }, context);
    expect(item).toMatchObject({ name: 'from-disk.tiff', format: 'tiff', path: file, width: 300, height: 200 });
    expect(store.get(item.id)).toEqual(item);
    expect((await h['media:preview']({ id: item.id }, context)).width).toBe(300);

    await rm(file);
    const gone = await rejection(h['media:preview']({ id: item.id }, context));
    expect(gone.code).toBe('not-found');
    expect(gone.message).toContain(file);
  });

  it('names the path when it is missing, a folder, or empty', async () => {
    const h = createMediaHandlers();
    const missing = await rejection(h['media:importPath']({ path: join(dir, 'nope.png') }, context));
    expect(missing.code).toBe('not-found');
    expect(missing.message).toBe(`No file at ${join(dir, 'nope.png')}.`);

    await mkdir(join(dir, 'folder.png'));
    const folder = await rejection(h['media:importPath']({ path: join(dir, 'folder.png') }, context));
    expect(folder.message).toBe(`${join(dir, 'folder.png')} is a folder, not a file.`);

    await writeFile(join(dir, 'empty.jpg'), new Uint8Array(0));
    const empty = await rejection(h['media:importPath']({ path: join(dir, 'empty.jpg') }, context));
    expect(empty.message).toBe('"empty.jpg" is empty (0 bytes).');
  });
});
