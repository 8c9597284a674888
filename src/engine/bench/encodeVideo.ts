/**
 * MP4 encoding of generated frames through ffmpeg (raw RGB on stdin). Uses the ffmpeg that
 * src/engine/api/ffmpeg.ts locates (FFMPEG_PATH, ffmpeg-static's binary, `ffmpeg` on PATH).
 */
import { spawn } from 'node:child_process';
import { locateFfmpeg } from '../api/ffmpeg';

/** Thrown when no ffmpeg is available; the message says how to get one. */
export class FfmpegMissingError extends Error {
  override name = 'FfmpegMissingError';
  constructor() {
    super('ffmpeg was not found, but writing benchmark videos needs it. Install it (Debian/Ubuntu: `sudo apt-get install ffmpeg`; macOS: `brew install ffmpeg`) or set FFMPEG_PATH to an ffmpeg executable.');
  }
}

/** The ffmpeg executable to use; throws FfmpegMissingError when there is none. */
export function requireFfmpeg(): string {
  const found = locateFfmpeg();
  if (!found) throw new FfmpegMissingError();
  return found.path;
}

/**
 * Encodes equally sized RGB frames (width*height*3 bytes each) to an H.264 MP4 (yuv420p, so
 * width and height must be even) at `fps`. Resolves when ffmpeg exits 0; rejects with ffmpeg's
 * last stderr lines otherwise.
 */
export function encodeMp4(ffmpeg: string, frames: readonly Uint8Array[], width: number, height: number, fps: number, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', out];
    const child = spawn(ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'], windowsHide: true });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    child.on('error', (err) => reject(new Error(`ffmpeg (${ffmpeg}) could not start: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg exited with code ${code} while writing ${out}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
    child.stdin.on('error', () => undefined); // reported through 'close'
    for (const f of frames) child.stdin.write(f);
    child.stdin.end();
  });
}
