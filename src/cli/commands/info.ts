/** `tokenlab info`: what this installation can do, measured on this machine. */
import type { CliCommand } from '../command';
import { collectAppInfo } from '../../engine/api/app';
import { AppInfo } from '../../shared/schemas/app';
import { parseFlags } from './args';

/** Renders AppInfo as the human-readable report of `tokenlab info`. */
export function formatInfo(info: AppInfo): string {
  const lines = [`TokenLab ${info.version} · Node ${info.node} · ${info.platform} · ${info.cpus} CPUs`, '', 'Execution providers:'];
  for (const p of info.providers) lines.push(`  ${p.name.padEnd(6)} ${p.available ? 'available' : 'not available'}${p.note ? ` — ${p.note}` : ''}`);
  lines.push('', 'ffmpeg:');
  lines.push(info.ffmpeg.found ? `  found: ${info.ffmpeg.path}${info.ffmpeg.version ? ` (${info.ffmpeg.version})` : ''}` : `  not found — ${info.ffmpeg.hint ?? ''}`);
  lines.push('', 'Electron runtime:');
  lines.push(info.electron.runtimeInstalled ? `  installed (Electron ${info.electron.version ?? '?'})` : `  not installed — ${info.electron.hint ?? ''}`);
  lines.push('', 'Models:');
  if (info.models.length === 0) lines.push('  none found (models/reference has no config.json yet; add folders with TOKENLAB_MODELS)');
  for (const m of info.models) lines.push(`  ${m.id.padEnd(12)} ${m.name}${m.bundled ? ' (bundled)' : ''} — ${m.dir}`);
  return `${lines.join('\n')}\n`;
}

export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'Show execution providers, ffmpeg, the Electron runtime and the models found',
  usage: `Usage: tokenlab info [--json]

Reports what this installation can do: ONNX Runtime execution providers actually installed
(CPU always; CUDA only when its provider library is present), whether ffmpeg runs, whether the
Electron runtime is downloaded, and the model folders found (models/reference, TOKENLAB_MODELS).

Options:
  --json    Print the report as JSON (the AppInfo schema of the app:info call).`,
  async run(argv) {
    const flags = parseFlags(argv, { booleans: ['json'] });
    const info = AppInfo.parse(await collectAppInfo());
    process.stdout.write(flags.has('json') ? `${JSON.stringify(info, null, 2)}\n` : formatInfo(info));
    return 0;
  },
};
