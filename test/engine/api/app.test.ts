import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectElectron, detectProviders, findModels } from '../../../src/engine/api/app';

const roots: string[] = [];
function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tokenlab-root-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const bin = `node_modules/onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}`;

describe('app:info facts', () => {
  it('counts CPU only when the binding for this platform exists', () => {
    expect(detectProviders(fakeRoot({ [`${bin}/onnxruntime_binding.node`]: '' }))[0]).toEqual({ name: 'cpu', available: true });
    expect(detectProviders(fakeRoot({ 'node_modules/onnxruntime-node/package.json': '{}' }))[0]).toMatchObject({ name: 'cpu', available: false });
  });

  it.runIf(process.platform === 'linux' && process.arch === 'x64')('counts CUDA only when its provider library is installed, and says how to get it', () => {
    const without = detectProviders(fakeRoot({ [`${bin}/onnxruntime_binding.node`]: '' }));
    expect(without[1]).toMatchObject({ name: 'cuda', available: false });
    expect(without[1]?.note).toContain('--onnxruntime-node-install=cuda12');
    const withCuda = detectProviders(fakeRoot({ [`${bin}/onnxruntime_binding.node`]: '', [`${bin}/libonnxruntime_providers_cuda.so`]: '' }));
    expect(withCuda[1]).toMatchObject({ name: 'cuda', available: true });
  });

  it('sees the Electron runtime only when path.txt names an executable under dist/', () => {
    const pkg = { 'node_modules/electron/package.json': '{"version":"41.7.1"}' };
    const none = detectElectron(fakeRoot(pkg));
    expect(none).toMatchObject({ runtimeInstalled: false, version: '41.7.1' });
    expect(none.hint).toContain('node node_modules/electron/install.js');
    expect(detectElectron(fakeRoot({ ...pkg, 'node_modules/electron/path.txt': 'electron' })).runtimeInstalled).toBe(false);
    expect(detectElectron(fakeRoot({ ...pkg, 'node_modules/electron/path.txt': 'electron', 'node_modules/electron/dist/electron': '' })).runtimeInstalled).toBe(true);
    expect(detectElectron(fakeRoot({})).hint).toContain('npm install');
  });

  it('finds the bundled model only with a config.json, plus TOKENLAB_MODELS folders', () => {
    expect(findModels(fakeRoot({ 'models/reference/README.md': '' }), '')).toEqual([]);
    const root = fakeRoot({ 'models/reference/config.json': '{"name":"llava-tiny-shapes"}', 'extra/m1/config.json': '{broken', 'extra/m1/x': '' });
    expect(findModels(root, join(root, 'extra'))).toEqual([
      { id: 'reference', name: 'llava-tiny-shapes', dir: join(root, 'models/reference'), bundled: true },
      { id: 'm1', name: 'm1', dir: join(root, 'extra/m1'), bundled: false },
    ]);
  });
});
