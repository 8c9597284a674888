/**
 * Finds ffmpeg the way ENVIRONMENT.md prescribes: a configured path (FFMPEG_PATH), then
 * ffmpeg-static's binary when its download actually happened, then `ffmpeg` on PATH. Video
 * import and `tokenlab info` share this so they never disagree about whether ffmpeg exists.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

/** Where ffmpeg was found, or how to get it. */
export interface FfmpegResolution {
  found: boolean;
  path?: string;
  /** 'FFMPEG_PATH' | 'ffmpeg-static' | 'PATH' */
  source?: string;
  /** First line of `ffmpeg -version`, e.g. "ffmpeg version 5.1.6-0+deb12u1 …". */
  version?: string;
  /** What to do when it is missing or broken. */
  hint?: string;
}

const HOW_TO_GET = 'Install ffmpeg (Debian/Ubuntu: `sudo apt-get install ffmpeg`; macOS: `brew install ffmpeg`), or set FFMPEG_PATH to an ffmpeg executable. Images work without it; video import needs it.';

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function ffmpegStaticPath(): string | undefined {
  try {
    const value: unknown = createRequire(import.meta.url)('ffmpeg-static');
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined; // not installed, or unsupported platform
  }
}

function onPath(): string | undefined {
  const names = process.platform === 'win32' ? ['ffmpeg.exe', 'ffmpeg'] : ['ffmpeg'];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of names) if (isExecutableFile(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The ffmpeg executable to use, without running it; undefined when there is none. */
export function locateFfmpeg(): { path: string; source: string } | undefined {
  const configured = process.env.FFMPEG_PATH;
  if (configured) return { path: configured, source: 'FFMPEG_PATH' };
  const bundled = ffmpegStaticPath();
  if (bundled && isExecutableFile(bundled)) return { path: bundled, source: 'ffmpeg-static' };
  const found = onPath();
  return found ? { path: found, source: 'PATH' } : undefined;
}

/** Runs `<path> -version` (5 s limit) and resolves to its first line; rejects when it cannot run. */
export function ffmpegVersion(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, ['-version'], { timeout: 5000, windowsHide: true }, (err, stdout) => {
      if (err) reject(err);
      else resolve((stdout.split('\n')[0] ?? '').replace(/\s+Copyright.*$/, '').trim());
    });
  });
}

/** Locates ffmpeg and checks that it runs. Never throws: a broken ffmpeg is reported with a hint. */
export async function resolveFfmpeg(): Promise<FfmpegResolution> {
  const located = locateFfmpeg();
  if (!located) return { found: false, hint: HOW_TO_GET };
  try {
    return { found: true, path: located.path, source: located.source, version: await ffmpegVersion(located.path) };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { found: false, path: located.path, source: located.source, hint: `${located.path} (from ${located.source}) did not run: ${reason}. ${HOW_TO_GET}` };
  }
}
