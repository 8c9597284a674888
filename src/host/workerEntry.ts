/**
 * The engine worker process's main module (built as out/main/worker.js for Electron, run from
 * source through tsx in browser mode). It owns all engine state: imported media, loaded models.
 */
import { createEngineHandlers } from '../engine/api/index';
import { runWorker } from './parentChannel';

runWorker(createEngineHandlers());
