/**
 * Model discovery: which model folders the engine can see, and whether each one loads.
 *
 * Sources, in listing order: the bundled `models/reference` (found relative to TokenLab's
 * package root, never the working directory, so the desktop app and the CLI agree), every entry
 * of `TOKENLAB_MODELS` (path-delimited; an entry is a model folder or a folder of model folders),
 * and folders added at run time (`model:load { dir }`). A folder that fails to load is listed as
 * 'broken' with the loader's reason — discovery never throws for a bad folder, because one
 * broken download must not hide the others.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, delimiter, join, resolve } from 'node:path';
import { ApiError } from '../../shared/errors';
import type { ModelDigest, ModelProblem, ModelSource, ModelSummary } from '../../shared/schemas/models';
import { appRoot } from '../api/appRoot';
import { visionLayersNeeded } from './checkpoint/config';
import { CheckpointError } from './checkpoint/errors';
import { loadModel } from './checkpoint/load';
import type { LlavaConfig } from './checkpoint/types';

/** A folder the registry knows, before validation. */
export interface ModelFolder {
  id: string;
  dir: string;
  source: ModelSource;
}

/** Where the registry looks; defaults come from the install and the environment. */
export interface RegistryOptions {
  /** TokenLab's package root (default: appRoot()). */
  root?: string;
  /** TOKENLAB_MODELS-style list (default: process.env.TOKENLAB_MODELS at each listing). */
  envModels?: string;
}

/** The geometry a config declares (see ModelDigest). */
export function digestOf(config: LlavaConfig): ModelDigest {
  const v = config.vision;
  const t = config.text;
  const side = v.imageSize / v.patchSize;
  const perImage = config.visionFeatureSelectStrategy === 'default' ? side * side : side * side + 1;
  const digest: ModelDigest = {
    vision: { layers: v.numLayers, layersRun: visionLayersNeeded(config), hiddenSize: v.hiddenSize, heads: v.numHeads, patchSize: v.patchSize, imageSize: v.imageSize },
    projector: { act: config.projectorHiddenAct, inputSize: v.hiddenSize, outputSize: t.hiddenSize },
    text: { layers: t.numLayers, hiddenSize: t.hiddenSize, intermediateSize: t.intermediateSize, heads: t.numHeads, kvHeads: t.numKvHeads, vocabSize: t.vocabSize },
    grid: { rows: side, cols: side },
    visualTokensPerImage: perImage,
    featureLayer: config.visionFeatureLayer,
    selectStrategy: config.visionFeatureSelectStrategy,
  };
  if (config.video) digest.visualTokensPerFrame = Math.floor(side / config.video.spatialPoolStride) ** 2;
  return digest;
}

/** A loader failure as a ModelProblem: CheckpointErrors keep their file/tensor and hint. */
export function problemOf(err: unknown): ModelProblem {
  if (err instanceof CheckpointError) {
    return { message: err.message, hint: err.hint, subject: err.tensor === undefined ? err.file : `${err.file}#${err.tensor}` };
  }
  if (err instanceof ApiError) return err.hint === undefined ? { message: err.message } : { message: err.message, hint: err.hint };
  return { message: err instanceof Error ? err.message : String(err) };
}

function isModelDir(dir: string): boolean {
  try {
    return statSync(join(dir, 'config.json')).isFile();
  } catch {
    return false;
  }
}

function isDir(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Model folders by id and by resolved path; ids are assigned once per engine session. */
export class ModelRegistry {
  private readonly byDir = new Map<string, ModelFolder>();
  private readonly added: string[] = [];
  private readonly root: string | undefined;
  private readonly envModels: string | undefined;

  constructor(options: RegistryOptions = {}) {
    this.root = options.root;
    this.envModels = options.envModels;
  }

  /** The bundled model's folder (it may not exist yet: the reference is exported by training). */
  bundledDir(): string {
    return join(this.root ?? appRoot(), 'models', 'reference');
  }

  /**
   * Every folder visible now, in listing order: bundled, TOKENLAB_MODELS, added. An env entry
   * that is neither a model nor holds any is listed too (as a folder that will report broken),
   * so a typo in TOKENLAB_MODELS shows up instead of vanishing.
   */
  folders(): ModelFolder[] {
    const out: ModelFolder[] = [];
    const seen = new Set<string>();
    const push = (dir: string, source: ModelSource): void => {
      const folder = this.folderFor(dir, source);
      if (seen.has(folder.dir)) return;
      seen.add(folder.dir);
      out.push(folder);
    };
    if (isModelDir(this.bundledDir())) push(this.bundledDir(), 'bundled');
    for (const raw of (this.envModels ?? process.env.TOKENLAB_MODELS ?? '').split(delimiter)) {
      const entry = raw.trim();
      if (!entry) continue;
      const dir = resolve(entry);
      if (isModelDir(dir) || !isDir(dir)) {
        push(dir, 'env');
        continue;
      }
      const children = readdirSync(dir, { withFileTypes: true }).filter((c) => c.isDirectory() && isModelDir(join(dir, c.name)));
      if (children.length === 0) push(dir, 'env');
      for (const child of children.sort((a, b) => a.name.localeCompare(b.name))) push(join(dir, child.name), 'env');
    }
    for (const dir of this.added) push(dir, 'added');
    return out;
  }

  /** Adds a folder at run time (idempotent); returns its entry. It is listed from now on. */
  add(dir: string): ModelFolder {
    const abs = resolve(dir);
    const known = this.folders().find((f) => f.dir === abs);
    if (known) return known;
    this.added.push(abs);
    return this.folderFor(abs, 'added');
  }

  /** The folder with this id; throws ApiError('not-found') listing the known ids. */
  byId(id: string): ModelFolder {
    const all = this.folders();
    const found = all.find((f) => f.id === id);
    if (found) return found;
    const known = all.map((f) => f.id).join(', ') || 'none';
    throw new ApiError('not-found', `No model has the id "${id}" (known: ${known}).`, {
      hint: 'List models with model:list, or load a folder by path (model:load { dir }); add folders permanently with TOKENLAB_MODELS.',
      subject: id,
    });
  }

  /**
   * Validates one folder by loading it (config, preprocessor, weight headers, tokenizer, prompt;
   * tensor data is not read) and closing it again. Never throws: problems become state 'broken'.
   */
  async summarize(folder: ModelFolder, loaded = false): Promise<ModelSummary> {
    const base = { id: folder.id, dir: folder.dir, bundled: folder.source === 'bundled', source: folder.source, loaded };
    try {
      const model = await loadModel(folder.dir);
      model.weights.close();
      return { ...base, name: model.name, state: 'ok', digest: digestOf(model.config) };
    } catch (err) {
      return { ...base, name: basename(folder.dir), state: 'broken', problem: problemOf(err) };
    }
  }

  /** Summaries of every visible folder; `isLoaded` marks the ones the engine holds. */
  async list(isLoaded: (dir: string) => boolean = () => false): Promise<ModelSummary[]> {
    const out: ModelSummary[] = [];
    for (const f of this.folders()) out.push(await this.summarize(f, isLoaded(f.dir)));
    return out;
  }

  /** The entry for `dir`, assigning a fresh id the first time: 'reference' when bundled, else the folder name, suffixed -2, -3… on collision (or when it is 'reference'). */
  private folderFor(dir: string, source: ModelSource): ModelFolder {
    const abs = resolve(dir);
    const known = this.byDir.get(abs);
    if (known) return known;
    const taken = new Set([...this.byDir.values()].map((f) => f.id));
    if (source !== 'bundled') taken.add('reference'); // reserved, so 'reference' always means the shipped model
    const base = source === 'bundled' ? 'reference' : basename(abs) || 'model';
    let id = base;
    for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
    const folder = { id, dir: abs, source };
    this.byDir.set(abs, folder);
    return folder;
  }

  /** Whether the bundled model's folder exists with a config.json. */
  hasBundled(): boolean {
    return existsSync(join(this.bundledDir(), 'config.json'));
  }
}
