import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AppInfo } from '../../src/shared/schemas/app';

const root = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

async function info(env: Record<string, string> = {}): Promise<AppInfo> {
  const { stdout } = await run(process.execPath, [join(root, 'bin', 'tokenlab.js'), 'info', '--json'], { cwd: root, env: { ...process.env, ...env } });
  return AppInfo.parse(JSON.parse(stdout));
}

describe('tokenlab info --json', () => {
  it('tells the truth about this machine', async () => {
    const env: Record<string, string> = { FFMPEG_PATH: '' };
    const result = await info(env);
    expect(result.providers.find((p) => p.name === 'cpu')).toMatchObject({ available: true });
    const cudaLib = join(root, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so');
    expect(result.providers.find((p) => p.name === 'cuda')?.available).toBe(existsSync(cudaLib));
    // Independent checks: does an ffmpeg on PATH run? is the Electron runtime downloaded?
    const ffmpegRuns = spawnSync('ffmpeg', ['-version']).status === 0;
    const staticBinary = existsSync(join(root, 'node_modules/ffmpeg-static/ffmpeg'));
    expect(result.ffmpeg.found).toBe(ffmpegRuns || staticBinary);
    if (!result.ffmpeg.found) expect(result.ffmpeg.hint).toMatch(/apt-get install ffmpeg|FFMPEG_PATH/);
    const electronRuntime = existsSync(join(root, 'node_modules/electron/path.txt')) && existsSync(join(root, 'node_modules/electron/dist'));
    expect(result.electron.runtimeInstalled).toBe(electronRuntime);
    if (!electronRuntime) expect(result.electron.hint).toContain('node node_modules/electron/install.js');
    expect(result.models.some((m) => m.bundled)).toBe(existsSync(join(root, 'models/reference/config.json')));
  });

  it('reports a configured ffmpeg that does not run, with a hint', async () => {
    const result = await info({ FFMPEG_PATH: '/nonexistent/ffmpeg' });
    expect(result.ffmpeg.found).toBe(false);
    expect(result.ffmpeg.hint).toContain('/nonexistent/ffmpeg');
  });

  it('finds models listed in TOKENLAB_MODELS (a model folder or a folder of models)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenlab-models-'));
    try {
      mkdirSync(join(dir, 'tiny-a'));
      writeFileSync(join(dir, 'tiny-a', 'config.json'), JSON.stringify({ _name_or_path: 'tiny/a' }));
      mkdirSync(join(dir, 'not-a-model'));
      const result = await info({ TOKENLAB_MODELS: `${dir}:${join(dir, 'missing')}` });
      const extra = result.models.filter((m) => !m.bundled);
      expect(extra).toEqual([{ id: 'tiny-a', name: 'tiny/a', dir: join(dir, 'tiny-a'), bundled: false }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown options with usage and exit code 2', async () => {
    const result = spawnSync(process.execPath, [join(root, 'bin', 'tokenlab.js'), 'info', '--jsn'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown option '--jsn'");
  });
});
