/**
 * `tokenlab methods`: the registered compression methods — id, stages, modalities, position
 * convention, how retention is met, what guides the selection, the paper, and every parameter
 * with its default and help (the same zod schema the UI, the contract and sweeps use).
 */
import { describePruner, listPruners, type PrunerSummary } from '../../engine/pruners/registry';
import { type CliCommand } from '../command';
import { parseOptions } from './args';

const usage = `Usage: tokenlab methods [--json]

Lists the compression methods: id (what --method takes), stages, modalities, position ids,
how retention is met ('kept' at the pruning point or as a 'layer-average'), what guides the
selection (none, visual, text, diversity), and parameters.

Options:
  --json   print a JSON array; each method's parameters as JSON Schema (defaults, help text)`;

interface JsonSchemaProperty {
  description?: string;
  default?: unknown;
  type?: string;
  enum?: unknown[];
}

function paramLines(summary: PrunerSummary): string[] {
  const props = (summary.params as { properties?: Record<string, JsonSchemaProperty> }).properties ?? {};
  return Object.entries(props).map(([name, p]) => {
    const kind = p.enum ? p.enum.join('|') : (p.type ?? 'value');
    const fallback = p.default === undefined ? '' : ` (default ${JSON.stringify(p.default)})`;
    return `    ${name} <${kind}>${fallback}  ${p.description ?? ''}`;
  });
}

export const methodsCommand: CliCommand = {
  name: 'methods',
  summary: 'List the compression methods, their stages and parameters',
  usage,
  async run(argv) {
    const values = parseOptions(argv, { json: { type: 'boolean' } });
    const all = listPruners().map(describePruner);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      return 0;
    }
    const lines: string[] = [];
    for (const m of all) {
      const paper = m.paper.arxiv ? `  arXiv ${m.paper.arxiv}` : '';
      lines.push(`${m.id} — ${m.label}${paper}`);
      lines.push(`  stages: ${m.stages.join(', ')}; ${m.modalities.join(' + ')}; positions: ${m.positions}; retention: ${m.retention}; guided by: ${m.guidance}`);
      lines.push(...paramLines(m), '');
    }
    process.stdout.write(lines.join('\n'));
    return 0;
  },
};
