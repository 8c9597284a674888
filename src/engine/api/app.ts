/**
 * The `app:info` handler: facts about this installation, measured, never assumed — which ONNX
 * Runtime execution providers are really installed, whether ffmpeg runs, whether the Electron
 * runtime was downloaded, and which models exist on disk.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join } from 'node:path';
import type { Handlers } from '../../shared/api';
import type { AppInfo } from '../../shared/schemas/app';
import { appRoot, appVersion } from './appRoot';
import { resolveFfmpeg } from './ffmpeg';
import { ModelRegistry } from '../models/registry';

type ProviderInfo = AppInfo['providers'][number];
type ModelSummary = AppInfo['models'][number];

/** The command that installs the CUDA provider (needs internet), quoted in hints and the README. */
export const CUDA_INSTALL_COMMAND = 'node node_modules/onnxruntime-node/script/install --onnxruntime-node-install=cuda12';

/** The command that downloads the Electron runtime (needs internet; honours ELECTRON_MIRROR). */
export const ELECTRON_INSTALL_COMMAND = 'node node_modules/electron/install.js';

/**
 * Execution providers usable here. CPU ships inside onnxruntime-node; CUDA only counts when its
 * provider library was actually installed next to the binding (Linux x64 only).
 */
export function detectProviders(root = appRoot()): ProviderInfo[] {
  const binDir = join(root, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', process.platform, process.arch);
  const cpu = existsSync(join(binDir, 'onnxruntime_binding.node'));
  const providers: ProviderInfo[] = [
    cpu ? { name: 'cpu', available: true } : { name: 'cpu', available: false, note: `onnxruntime-node has no binary for ${process.platform}-${process.arch}; models cannot run here.` },
  ];
  if (process.platform === 'linux' && process.arch === 'x64') {
    const cuda = existsSync(join(binDir, 'libonnxruntime_providers_cuda.so'));
    providers.push(
      cuda
        ? { name: 'cuda', available: true, note: 'CUDA provider library installed; needs an NVIDIA driver and CUDA 12 + cuDNN 9 at run time.' }
        : { name: 'cuda', available: false, note: `Not installed. With internet and an NVIDIA GPU: ${CUDA_INSTALL_COMMAND}` },
    );
  } else {
    providers.push({ name: 'cuda', available: false, note: 'onnxruntime-node ships the CUDA provider for Linux x64 only.' });
  }
  return providers;
}

/** Whether `node_modules/electron` holds a downloaded runtime (path.txt + dist/), and its version. */
export function detectElectron(root = appRoot()): AppInfo['electron'] {
  // Inside the desktop app (main or its utility process) the runtime is, by definition, there.
  const running = process.versions.electron;
  if (running) return { runtimeInstalled: true, version: running };
  const dir = join(root, 'node_modules', 'electron');
  let version: string | undefined;
  try {
    version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return { runtimeInstalled: false, hint: 'The electron package is missing; run `npm install`.' };
  }
  let installed = false;
  try {
    const executable = readFileSync(join(dir, 'path.txt'), 'utf8').trim();
    installed = executable.length > 0 && existsSync(join(dir, 'dist', executable));
  } catch {
    installed = false;
  }
  if (installed) return { runtimeInstalled: true, version };
  return {
    runtimeInstalled: false,
    version,
    hint: `The Electron runtime is not downloaded (npm install skips it here). With internet run \`${ELECTRON_INSTALL_COMMAND}\` (set ELECTRON_MIRROR to use a mirror), then \`npm start\`. Until then, \`npm start\` opens browser mode.`,
  };
}

function readModelName(dir: string): string {
  try {
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['name', '_name_or_path']) {
      const value = config[key];
      if (typeof value === 'string' && value.trim()) return value.trim();
    }
  } catch {
    // a malformed config.json still names a model folder; the loader reports the details
  }
  return basename(dir);
}

function isModelDir(dir: string): boolean {
  try {
    return statSync(join(dir, 'config.json')).isFile();
  } catch {
    return false;
  }
}

/**
 * Model folders on disk, as the model registry sees them (same ids as `model:list`), limited to
 * folders that have a config.json: models/reference (bundled) and TOKENLAB_MODELS entries.
 */
export function findModels(root = appRoot(), extra = process.env.TOKENLAB_MODELS ?? ''): ModelSummary[] {
  return new ModelRegistry({ root, envModels: extra })
    .folders()
    .filter((folder) => isModelDir(folder.dir))
    .map((folder) => ({ id: folder.id, name: readModelName(folder.dir), dir: folder.dir, bundled: folder.source === 'bundled' }));
}

/** Gathers every fact of AppInfo. */
export async function collectAppInfo(): Promise<AppInfo> {
  const root = appRoot();
  const ffmpeg = await resolveFfmpeg();
  return {
    version: appVersion(),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    providers: detectProviders(root),
    ffmpeg: { found: ffmpeg.found, path: ffmpeg.path, version: ffmpeg.version, hint: ffmpeg.hint },
    electron: detectElectron(root),
    models: findModels(root),
  };
}

/** The handlers of the `app:*` calls. */
export function createAppHandlers(): Pick<Handlers, 'app:info'> {
  return { 'app:info': () => collectAppInfo() };
}
