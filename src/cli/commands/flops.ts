/**
 * `tokenlab flops`: the analytical FLOPs of one unpruned run of a model folder or a published
 * preset, per component, with the formulas (src/shared/flops.ts). Reads only config.json.
 */
import { join } from 'node:path';
import { parseLlavaConfig } from '../../engine/models/checkpoint/config';
import { flopsDimsFromConfig } from '../../engine/models/checkpoint/flops-dims';
import { readJsonObject } from '../../engine/models/checkpoint/json';
import { FLOPS_PRESETS, formatFlops, uniformFlops, type FlopsBreakdown, type FlopsConvention, type FlopsPresetName, type ModelDims } from '../../shared/flops';
import { UsageError, type CliCommand } from '../command';
import { parseOptions } from './args';

const presetNames = Object.keys(FLOPS_PRESETS) as FlopsPresetName[];

const usage = `Usage: tokenlab flops (--model DIR | --preset NAME) --visual-tokens N [options]

Analytical FLOPs (MAC-style: one multiply-accumulate = 1 FLOP, as in FastV/TransPrune/ToDRE)
of one run where every decoder layer sees all tokens.

Options:
  --model DIR            a Hugging Face LLaVA folder (only config.json is read)
  --preset NAME          published dimensions: ${presetNames.join(', ')}
  --visual-tokens N      visual tokens entering the LLM (LLaVA-1.5: 576 per image)
  --text-tokens M        text tokens in the prompt (default 0)
  --decode-steps K       decoding forward passes after prefill (default 0)
  --images F             images or frames through the vision tower (default 1)
  --convention NAME      paper (4nd² + 2n²d + 3ndm, default) or fastv (… + 2ndm)
  --json                 print JSON (FLOPs per component and layer, TFLOPs summary, formulas)`;

function count(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`${flag} is required.`);
    return fallback;
  }
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number ≥ 0, got '${value}'.`);
  return Number(value);
}

function resolveDims(model: string | undefined, preset: string | undefined): ModelDims {
  if ((model === undefined) === (preset === undefined)) throw new UsageError('give exactly one of --model DIR or --preset NAME.');
  if (preset !== undefined) {
    if (!(preset in FLOPS_PRESETS)) throw new UsageError(`unknown preset '${preset}'; known: ${presetNames.join(', ')}.`);
    return FLOPS_PRESETS[preset as FlopsPresetName];
  }
  const file = join(model as string, 'config.json');
  const config = parseLlavaConfig(readJsonObject(file, 'Pass a Hugging Face LLaVA model folder (it holds config.json).'), file);
  return flopsDimsFromConfig(config, model as string);
}

const tera = (flops: number): number => Number((flops / 1e12).toFixed(6));

function table(f: FlopsBreakdown, visual: number, text: number): string {
  const rows: Array<[string, number]> = [
    [`vision (${f.vision.images} × ${f.vision.layers.length} ViT layers + patch embedding)`, f.vision.total],
    [`projector (${f.projector.tokens} tokens)`, f.projector.total],
    [`decoder prefill (${f.prefill.layers.length} layers × ${visual + text} tokens)`, f.prefill.total],
    [`decode (${f.decode.steps} steps)`, f.decode.total],
    [`LM head (${f.lmHead.positions} positions)`, f.lmHead.total],
    ['total', f.total],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, flops]) => `  ${label.padEnd(width)}  ${formatFlops(flops).padStart(12)}  ${flops.toExponential(4)}`);
  const formulas = Object.entries(f.formulas).map(([part, text]) => `  ${part}: ${text}`);
  return [`${f.model}: ${visual} visual + ${text} text tokens, convention '${f.convention}'`, `${f.unit}`, '', ...lines, '', 'Formulas:', ...formulas, ''].join('\n');
}

export const flopsCommand: CliCommand = {
  name: 'flops',
  summary: 'Analytical FLOPs of a model (folder or preset) per component, with the formulas',
  usage,
  async run(argv) {
    const values = parseOptions(argv, {
      model: { type: 'string' }, preset: { type: 'string' }, 'visual-tokens': { type: 'string' }, 'text-tokens': { type: 'string' },
      'decode-steps': { type: 'string' }, images: { type: 'string' }, convention: { type: 'string' }, json: { type: 'boolean' },
    });
    const convention = values.convention ?? 'paper';
    if (convention !== 'paper' && convention !== 'fastv') throw new UsageError(`--convention must be paper or fastv, got '${convention}'.`);
    const dims = resolveDims(values.model, values.preset);
    const visual = count(values['visual-tokens'], '--visual-tokens');
    const text = count(values['text-tokens'], '--text-tokens', 0);
    const breakdown = uniformFlops(dims, {
      visualTokens: visual, textTokens: text, convention: convention as FlopsConvention,
      decodeSteps: count(values['decode-steps'], '--decode-steps', 0), images: count(values.images, '--images', 1),
    });
    if (values.json) {
      const summary = {
        tokens: { visual, text, decodeSteps: breakdown.decode.steps, images: breakdown.vision.images },
        tflops: {
          decoderPrefill: tera(breakdown.prefill.total), vision: tera(breakdown.vision.total), projector: tera(breakdown.projector.total),
          decode: tera(breakdown.decode.total), lmHead: tera(breakdown.lmHead.total), total: tera(breakdown.total),
        },
        ...breakdown,
      };
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      process.stdout.write(table(breakdown, visual, text));
    }
    return 0;
  },
};
