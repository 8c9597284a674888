/**
 * ModelGraphs: builds each graph of a loaded model on first use and keeps its session, keyed by
 * (component, layer, probe set, past/no-past). Building reads the layer's weights from the
 * TensorStore; the session then owns a copy, so repeated runs never rebuild or re-read.
 */
import * as ort from 'onnxruntime-node';
import type { LoadedModel } from '../checkpoint/types';
import { buildDecodeStepGraph, buildDecoderLayerGraph, buildDecoderSegmentGraph, buildLmHeadGraph, buildQueryKeyScoreGraph, decoderProbeKey, type DecoderProbeSet } from '../graph/decoder-graphs';
import type { GraphBuilder } from '../graph/graph-builder';
import { buildProjectorGraph, buildVisionEmbeddingsGraph, buildVisionLayerGraph, projectorProbeKey, vitProbeKey, type ProjectorProbeSet, type VitProbeSet } from '../graph/vision-graphs';
import { createSession, resolveThreads, type ProviderName, type RuntimeOptions, type ThreadSettings } from './session';

/** Runs a session, wrapping ORT errors with the graph's name so failures say where. */
export async function runGraph(session: ort.InferenceSession, graph: string, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  try {
    return await session.run(feeds);
  } catch (err) {
    const shapes = Object.entries(feeds).map(([k, t]) => `${k}[${t.dims.join(',')}]`).join(' ');
    throw new Error(`Running graph '${graph}' failed with inputs ${shapes}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A session plus the name used in error messages. */
export interface GraphSession {
  name: string;
  session: ort.InferenceSession;
}

/** Lazily built, cached sessions for every graph of one model. */
export class ModelGraphs {
  private readonly sessions = new Map<string, Promise<GraphSession>>();
  private readonly providersUsed = new Set<ProviderName>();
  /** Seconds spent building graphs and creating sessions (reported apart from run latency). */
  buildSeconds = 0;

  constructor(
    readonly model: LoadedModel,
    readonly options: RuntimeOptions = {},
  ) {}

  /** Thread settings applied to every session (resolved once: os.cpus() reads /proc on every call, ~0.2 ms). */
  get threads(): ThreadSettings {
    return (this.resolvedThreads ??= resolveThreads(this.options));
  }

  private resolvedThreads: ThreadSettings | undefined;

  /** The providers sessions actually run on ('cpu', 'cuda', or both when some graph fell back). */
  get providers(): ProviderName[] {
    return [...this.providersUsed];
  }

  private get(key: string, build: () => GraphBuilder): Promise<GraphSession> {
    let hit = this.sessions.get(key);
    if (!hit) {
      hit = (async () => {
        const started = performance.now();
        const g = build();
        const created = await createSession(g.toBytes(), g.name, this.options);
        this.providersUsed.add(created.provider);
        this.buildSeconds += (performance.now() - started) / 1000;
        return { name: g.name, session: created.session };
      })();
      // A failed build must not poison the cache: the next call retries and reports afresh.
      hit.catch(() => this.sessions.delete(key));
      this.sessions.set(key, hit);
    }
    return hit;
  }

  /** Patch/CLS/position embeddings + pre_layrnorm. */
  visionEmbeddings(): Promise<GraphSession> {
    const m = this.model;
    return this.get('vit-emb', () => buildVisionEmbeddingsGraph(m.weights, m.config.vision));
  }

  /** ViT encoder layer with the given probes. */
  visionLayer(layer: number, probes: VitProbeSet = {}): Promise<GraphSession> {
    const m = this.model;
    return this.get(`vit:${layer}:${vitProbeKey(probes)}`, () => buildVisionLayerGraph(m.weights, m.config.vision, layer, probes));
  }

  /** The multimodal projector, with probes. */
  projector(probes: ProjectorProbeSet = {}): Promise<GraphSession> {
    const m = this.model;
    return this.get(`projector:${projectorProbeKey(probes)}`, () => buildProjectorGraph(m.weights, m.config.vision, m.config.text, m.config.projectorHiddenAct, m.config.projectorBias ?? true, probes));
  }

  /** Decoder layer with probes (past K/V inputs; empty in prefill). */
  decoderLayer(layer: number, probes: DecoderProbeSet = {}): Promise<GraphSession> {
    const m = this.model;
    return this.get(`dec:${layer}:${decoderProbeKey(probes)}`, () => buildDecoderLayerGraph(m.weights, m.config.text, layer, probes));
  }

  /** Prefill layers `from`..`to` as one graph, probes in layer `to` (see buildDecoderSegmentGraph). */
  decoderSegment(from: number, to: number, probes: DecoderProbeSet = {}): Promise<GraphSession> {
    const m = this.model;
    return this.get(`dec:${from}-${to}:${decoderProbeKey(probes)}`, () => buildDecoderSegmentGraph(m.weights, m.config.text, from, to, probes));
  }

  /** Layer `layer`'s q·k scorer (norm + q/k + RoPE) for next-layer attention probes. */
  queryKeyScores(layer: number): Promise<GraphSession> {
    const m = this.model;
    return this.get(`qk:${layer}`, () => buildQueryKeyScoreGraph(m.weights, m.config.text, layer));
  }

  /** All decoder layers + LM head for one cached decoding step (see buildDecodeStepGraph). */
  decodeStep(): Promise<GraphSession> {
    const m = this.model;
    return this.get('decode-step', () => buildDecodeStepGraph(m.weights, m.config.text));
  }

  /** Final norm + LM head. */
  lmHead(): Promise<GraphSession> {
    const m = this.model;
    return this.get('lm-head', () => buildLmHeadGraph(m.weights, m.config.text));
  }

  /** Releases every session. */
  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) {
      try {
        await (await s).session.release();
      } catch {
        // A session whose build failed has nothing to release.
      }
    }
  }
}
