import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuild } from '../../scripts/ensure-build.js';

const root = join(import.meta.dirname, '..', '..');
const children: ChildProcess[] = [];
const temps: string[] = [];

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokenlab-launch-'));
  temps.push(dir);
  return dir;
}

/** Starts `npm start`'s script and resolves with its URL line and stderr so far, or rejects after `limitMs`. */
function launch(env: Record<string, string>, limitMs: number): Promise<{ url: string; stderr: () => string; ms: number; child: ChildProcess }> {
  const started = Date.now();
  const child = spawn(process.execPath, [join(root, 'scripts', 'launch.js')], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within ${limitMs} ms; stderr:\n${stderr}`)), limitMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('TokenLab is running at ')) return;
      clearTimeout(timer);
      // The guidance follows the URL on stderr; give it a moment to arrive.
      setTimeout(() => resolve({ url: line.slice('TokenLab is running at '.length), stderr: () => stderr, ms: Date.now() - started, child }), 300);
    });
    child.on('exit', (code) => reject(new Error(`launcher exited with ${code}; stderr:\n${stderr}`)));
  });
}

/** True once `pid` no longer runs (exited, or a zombie awaiting its reaper); polls up to 3 s. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 60; i++) {
    try {
      process.kill(pid, 0);
      const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
      if (/^\d+ \(.*\) Z/.test(stat)) return true;
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

beforeAll(() => {
  // Build once here (if stale); the launchers below skip their own build step.
  expect(ensureBuild()).toBe(true);
});

afterEach(async () => {
  await Promise.all(children.splice(0).map(stop));
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const noRuntime = (): Record<string, string> => ({
  TOKENLAB_SKIP_BUILD: '1',
  DISPLAY: ':99', // pretend a desktop exists, so the launcher goes for Electron first
  TOKENLAB_ELECTRON_DIR: temp(), // no runtime there, whatever this machine has installed
  electron_config_cache: temp(), // no cached download to fall back on
});

describe('npm start launcher without the Electron runtime', () => {
  it('falls back to browser mode within 60 s when the download fails (unreachable mirror)', async () => {
    const started = await launch({ ...noRuntime(), ELECTRON_MIRROR: 'http://127.0.0.1:9/' }, 60_000);
    expect(started.ms).toBeLessThan(60_000);
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    expect(started.stderr()).toContain('Browser mode');
    expect(started.stderr()).toContain('node node_modules/electron/install.js');
    expect(started.stderr()).toContain('ELECTRON_MIRROR');
    const first = await fetch(started.url, { redirect: 'manual' });
    expect(first.status).toBe(302);
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const page = await fetch(new URL('/', started.url), { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">'); // the built UI
    expect(await stop(started.child)).toBe(0);
  });

  it('kills a download that hangs at the deadline, with its whole process group', async () => {
    const pidFile = join(temp(), 'grandchild.pid');
    const started = await launch(
      { ...noRuntime(), TOKENLAB_ELECTRON_INSTALL_SCRIPT: join(import.meta.dirname, 'fixtures', 'hangingInstaller.js'), TOKENLAB_ELECTRON_INSTALL_TIMEOUT_MS: '2000', PID_FILE: pidFile },
      60_000,
    );
    expect(started.stderr()).toContain('did not finish within 2 s');
    expect(existsSync(pidFile)).toBe(true);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(await gone(grandchild)).toBe(true);
  });

  it('goes straight to browser mode with --browser', async () => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'launch.js'), '--browser', '--port', '0'], { cwd: root, env: { ...process.env, TOKENLAB_SKIP_BUILD: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
    expect(line).toMatch(/^TokenLab is running at http:\/\/127\.0\.0\.1:\d+\//);
  });
});
