import type { Problem } from '../model/problems';
import { formatValue, type Row } from '../model/values';
import type { Schema } from '../model/schema';
import { formatType } from '../model/types';

/**
 * A number as toLocaleString('en-US') writes it (1,234,567). Whole numbers are grouped here:
 * the first toLocaleString of a process loads ICU's number formatting, ~12 ms of every CLI
 * command that prints a count.
 */
export function formatCount(x: number): string {
  if (!Number.isSafeInteger(x) || Object.is(x, -0)) return x.toLocaleString('en-US');
  const digits = String(Math.abs(x)).replace(/\B(?=(\d{3})+$)/g, ',');
  return x < 0 ? `-${digits}` : digits;
}

/** A plain text table: columns padded, numbers right-aligned. */
export function table(headers: string[], rows: Array<Array<string | number>>, align?: Array<'l' | 'r'>): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatCount(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => [...(r[i] ?? '')].length)));
  const al = align ?? headers.map((_, i) => (rows.some((r) => typeof r[i] === 'number') ? 'r' : 'l'));
  const pad = (s: string, i: number) => {
    const fill = ' '.repeat(Math.max(0, widths[i] - [...s].length));
    return al[i] === 'r' ? fill + s : s + fill;
  };
  const line = (r: string[]) => r.map(pad).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)].join('\n');
}

export function formatProblems(problems: Problem[], file: string): string {
  return problems
    .map((p) => `${file}: ${p.severity}: ${p.path}: ${p.message}${p.hint && !p.message.includes(p.hint) ? ` (did you mean '${p.hint}'?)` : ''}`)
    .join('\n');
}

export function rowsTable(schema: Schema, rows: Row[]): string {
  return table(
    schema.columns.map((c) => `${c.name} (${formatType(c.type)})`),
    rows.map((r) => r.map((v) => formatValue(v, 40))),
    schema.columns.map((c) => (['int', 'bigint', 'decimal', 'float'].includes(c.type.kind) ? 'r' : 'l')),
  );
}

export function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms % 60_000) / 1000)} s`;
}
