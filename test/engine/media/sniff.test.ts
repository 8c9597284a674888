import { describe, expect, it } from 'vitest';
import { extensionOf, hasVideoExtension, sniff } from '../../../src/engine/media/sniff';
import { solidImage, text, videoHeaders } from './fixtures';

describe('sniff', () => {
  it.each(['png', 'jpeg', 'webp', 'tiff', 'gif'] as const)('recognises a real %s file from its bytes', async (format) => {
    expect(sniff(await solidImage(format))).toEqual({ kind: 'image', format });
  });

  it.each([
    ['mp4', videoHeaders.mp4()],
    ['mov', videoHeaders.mov()],
    ['webm', videoHeaders.webm()],
    ['mkv', videoHeaders.mkv()],
    ['avi', videoHeaders.avi()],
    ['mpeg-ts', videoHeaders.ts()],
  ] as const)('recognises a %s container as video', (format, bytes) => {
    expect(sniff(bytes)).toEqual({ kind: 'video', format });
  });

  it('tells a HEIF still (ftyp heic) from an MP4 movie', () => {
    const heic = Uint8Array.from([0, 0, 0, 24, ...Buffer.from('ftypheic\0\0\0\0mif1heic')]);
    expect(sniff(heic)).toEqual({ kind: 'unsupported-image', format: 'heif' });
  });

  it('does not take text, a lone sync byte or too few bytes for anything', () => {
    expect(sniff(text('hello, I am not a picture'))).toEqual({ kind: 'unknown' });
    expect(sniff(Uint8Array.from([0x47, 1, 2, 3]))).toEqual({ kind: 'unknown' });
    expect(sniff(Uint8Array.from([0x89, 0x50]))).toEqual({ kind: 'unknown' });
    expect(sniff(new Uint8Array(0))).toEqual({ kind: 'unknown' });
  });

  it('reads extensions case-insensitively and ignores folders and dotfiles', () => {
    expect(extensionOf('C:\\clips\\Holiday.MP4')).toBe('mp4');
    expect(extensionOf('/a.b/noext')).toBe('');
    expect(extensionOf('.hidden')).toBe('');
    expect(hasVideoExtension('x.webm')).toBe(true);
    expect(hasVideoExtension('x.png')).toBe(false);
  });
});
