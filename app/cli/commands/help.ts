import { z } from 'zod';
import { connectors as connectorModules } from '../../connectors/registry';
import { syncJsonSchemaText } from '../../jobs/sync/json-schema';
import { pipelineJsonSchemaText } from '../../nodes/json-schema';
import { nodeRegistry } from '../../nodes/registry';
import { writeFileSync } from 'node:fs';
import { table } from '../format';
import { EXIT, UsageError, type Io } from '../io';

interface FieldDoc {
  name: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
  examples?: unknown[];
}

/** The fields of a config or options schema, from its JSON Schema (descriptions, defaults, examples). */
export function fieldsOf(schema: z.ZodType): FieldDoc[] {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(js.properties ?? {}).map(([name, p]) => ({
    name,
    type: typeOf(p),
    required: js.required?.includes(name) ?? false,
    default: p.default,
    description: p.description as string | undefined,
    examples: p.examples as unknown[] | undefined,
  }));
}

function typeOf(p: Record<string, unknown>): string {
  if (Array.isArray(p.enum)) return p.enum.map((x) => JSON.stringify(x)).join(' | ');
  if (typeof p.type === 'string') return p.type === 'array' ? `${typeOf((p.items as Record<string, unknown>) ?? {})}[]` : p.type;
  if (Array.isArray(p.anyOf)) return p.anyOf.map((x) => typeOf(x as Record<string, unknown>)).join(' | ');
  return 'any';
}

function fieldsText(fields: FieldDoc[]): string {
  return fields
    .map((f) => {
      const head = `  ${f.name}${f.required ? '' : '?'}: ${f.type}${f.default !== undefined ? ` = ${JSON.stringify(f.default)}` : ''}`;
      const lines = [head];
      if (f.description) lines.push(`      ${f.description}`);
      if (f.examples?.length) lines.push(`      e.g. ${f.examples.map((e) => JSON.stringify(e)).join(', ')}`);
      return lines.join('\n');
    })
    .join('\n');
}

export function nodesCommand(type: string | undefined, io: Io): number {
  if (!type) {
    io.out(
      table(
        ['type', 'category', 'description'],
        nodeRegistry.all().map((t) => [t.type, t.category, firstSentence(t.description)]),
      ),
    );
    io.out('\n`sluice nodes <type>` shows a node\'s configuration.');
    return EXIT.ok;
  }
  const t = nodeRegistry.get(type);
  if (!t) throw new UsageError(`no node type '${type}'; known: ${nodeRegistry.types().join(', ')}`);
  const ports = t.ports(t.config.parse(t.example));
  io.out(`${t.title} (${t.type}, ${t.category})\n\n${t.description}\n`);
  io.out(`inputs:  ${ports.inputs.map((p) => p.name).join(', ') || '(none)'}`);
  io.out(`outputs: ${ports.outputs.map((p) => `${p.name}${p.kind === 'rejected' ? ' (rejected rows)' : ''}`).join(', ') || '(none)'}\n`);
  io.out(`config:\n${fieldsText(fieldsOf(t.config))}\n`);
  io.out(`example:\n  ${JSON.stringify(t.example)}`);
  return EXIT.ok;
}

export function connectorsCommand(id: string | undefined, io: Io): number {
  if (!id) {
    io.out(
      table(
        ['connector', 'kind', 'URL', 'description'],
        connectorModules.map((c) => [c.id, c.kind, c.examples[0] ?? `${c.schemes[0]}:…`, c.description]),
      ),
    );
    return EXIT.ok;
  }
  const c = connectorModules.find((m) => m.id === id || m.schemes.includes(id));
  if (!c) throw new UsageError(`no connector '${id}'; known: ${connectorModules.map((m) => m.id).join(', ')}`);
  io.out(`${c.title} (${c.id}, ${c.kind})\n\n${c.description}\n\nURLs: ${c.examples.join('  ')}\n`);
  io.out(`options (in the connection's options: block, or as URL query parameters):\n${fieldsText(fieldsOf(c.options))}`);
  return EXIT.ok;
}

export function schemaCommand(flags: { output?: string; kind?: string }, io: Io): number {
  const kind = flags.kind ?? 'pipeline';
  if (kind !== 'pipeline' && kind !== 'sync') throw new UsageError(`--kind is pipeline or sync, not '${kind}'`);
  const text = kind === 'sync' ? syncJsonSchemaText(nodeRegistry) : pipelineJsonSchemaText(nodeRegistry);
  if (flags.output) writeFileSync(flags.output, text);
  else io.out(text.trimEnd());
  return EXIT.ok;
}

function firstSentence(text: string): string {
  const m = /^.*?[.!?](\s|$)/.exec(text);
  return (m ? m[0] : text).trim();
}
