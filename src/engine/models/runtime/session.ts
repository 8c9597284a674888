/**
 * onnxruntime sessions: execution-provider selection and thread settings.
 *
 * Why these defaults: on 2-core machines ORT's default thread pools (and their spin-waiting)
 * made chained per-layer sessions ~5× slower (shared/ENVIRONMENT.md), so small machines get one
 * intra-op thread and spinning is always off — the runtime runs many small sessions back to back.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';

/** Execution providers we know how to ask for, in preference order. */
export type ProviderName = 'cuda' | 'cpu';

/** How sessions are created; every field has a sensible default. */
export interface RuntimeOptions {
  /** Providers to try in order; default: CUDA when its binaries are installed, then CPU. */
  providers?: ProviderName[];
  /** ORT intra-op threads; default 1 on machines with ≤ 2 cores, else ORT's default (0 = auto). */
  intraOpThreads?: number;
  /** ORT inter-op threads; default 1 (graphs are sequential chains). */
  interOpThreads?: number;
  /** Decoding steps: one fused graph, the per-layer sessions, or by model size (default 'auto'; see decode.ts). */
  decode?: 'fused' | 'per-layer' | 'auto';
  /** Prefill: runs of layers with no hook between them as one graph, or one session per layer (default 'auto'; see prefill.ts). */
  prefill?: 'fused' | 'per-layer' | 'auto';
}

/** The thread settings actually applied, for reports. */
export interface ThreadSettings {
  intraOpThreads: number;
  interOpThreads: number;
  spinning: false;
}

/** Resolves thread defaults from the machine; 0 means "ORT decides". */
export function resolveThreads(opts: RuntimeOptions): ThreadSettings {
  const cores = os.cpus().length;
  return {
    intraOpThreads: opts.intraOpThreads ?? (cores <= 2 ? 1 : 0),
    interOpThreads: opts.interOpThreads ?? 1,
    spinning: false,
  };
}

/**
 * Whether the CUDA provider's binaries are installed next to onnxruntime-node's binding (they are
 * downloaded separately by its install script, so `listSupportedBackends` alone cannot tell).
 */
export function cudaInstalled(): boolean {
  if (process.platform !== 'linux' || process.arch !== 'x64') return false;
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
    const bin = path.join(path.dirname(entry), '..', 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime_providers_cuda.so');
    return fs.existsSync(bin);
  } catch {
    return false;
  }
}

/** The default provider order for this machine. */
export function defaultProviders(): ProviderName[] {
  return cudaInstalled() ? ['cuda', 'cpu'] : ['cpu'];
}

/** A created session and the provider it runs on. */
export interface CreatedSession {
  session: ort.InferenceSession;
  provider: ProviderName;
}

/**
 * Creates a session from ONNX bytes, trying each provider in order and falling back to the next
 * when one fails to initialise. Throws (naming the graph and every provider's error) when none works.
 */
export async function createSession(model: Uint8Array, graphName: string, opts: RuntimeOptions = {}): Promise<CreatedSession> {
  const threads = resolveThreads(opts);
  const providers = opts.providers ?? defaultProviders();
  const errors: string[] = [];
  for (const provider of providers) {
    try {
      const session = await ort.InferenceSession.create(model, {
        executionProviders: [provider],
        intraOpNumThreads: threads.intraOpThreads,
        interOpNumThreads: threads.interOpThreads,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
      });
      return { session, provider };
    } catch (err) {
      errors.push(`${provider}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new Error(`Could not create an onnxruntime session for graph '${graphName}' with providers [${providers.join(', ')}]: ${errors.join(' | ')}`);
}
