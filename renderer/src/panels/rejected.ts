import type { MethodOutput } from '../../../app/contract';

export type RejectedGroup = MethodOutput<'runs/rejectedSummary'>['groups'][number];
export type RejectedRow = MethodOutput<'runs/rejected'>['rows'][number];
export type GroupBy = 'rule' | 'column' | 'pattern';

/** A group of rejected rows as the panel lists it, with the filter that fetches its rows. */
export interface ErrorGroup {
  key: string;
  nodeId: string;
  label: string;
  detail: string;
  count: number;
  filter: { nodeId: string; rule?: string; column?: string | null };
  /** For pattern groups: the ids of the rows in it (from the rows fetched). */
  ids?: number[];
}

/** The shape of a value: letters as a, digits as 9, runs collapsed (`ab12@x` -> `a9@a`); NULL and '' apart. */
export function valuePattern(v: string | null): string {
  if (v === null) return 'NULL';
  if (v === '') return "'' (empty)";
  if (v.trim() === '') return "' ' (blank)";
  const p = v
    .replace(/\p{L}+/gu, 'a')
    .replace(/\d+/g, '9')
    .replace(/\s+/g, '␣');
  return p.length > 40 ? `${p.slice(0, 40)}…` : p;
}

export function groupsByRule(groups: RejectedGroup[]): ErrorGroup[] {
  const m = new Map<string, ErrorGroup>();
  for (const g of groups) {
    const key = `${g.nodeId}\u0000${g.rule}`;
    const e = m.get(key) ?? { key, nodeId: g.nodeId, label: g.rule, detail: g.sampleMessage, count: 0, filter: { nodeId: g.nodeId, rule: g.rule } };
    e.count += g.count;
    m.set(key, e);
  }
  return [...m.values()].sort((a, b) => b.count - a.count);
}

export function groupsByColumn(groups: RejectedGroup[]): ErrorGroup[] {
  const m = new Map<string, ErrorGroup>();
  for (const g of groups) {
    const key = `${g.nodeId}\u0000${g.column ?? ''}`;
    const e = m.get(key) ?? {
      key,
      nodeId: g.nodeId,
      label: g.column ?? '(whole row)',
      detail: g.sampleMessage,
      count: 0,
      filter: { nodeId: g.nodeId, column: g.column ?? '' },
    };
    e.count += g.count;
    m.set(key, e);
  }
  return [...m.values()].sort((a, b) => b.count - a.count);
}

/** The offending value as the row holds it (the recorded value is text, with NULL spelled out). */
export function offendingValue(r: RejectedRow): string | null {
  if (r.column && r.column in r.row) {
    const v = r.row[r.column];
    return v === null || v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return r.value;
}

export function groupsByPattern(rows: RejectedRow[]): ErrorGroup[] {
  const m = new Map<string, ErrorGroup>();
  for (const r of rows) {
    const pattern = valuePattern(offendingValue(r));
    const key = `${r.nodeId}\u0000${r.column ?? ''}\u0000${pattern}`;
    const e = m.get(key) ?? {
      key,
      nodeId: r.nodeId,
      label: `${r.column ?? '(row)'}: ${pattern}`,
      detail: r.message,
      count: 0,
      filter: { nodeId: r.nodeId, column: r.column ?? '' },
      ids: [],
    };
    e.count++;
    e.ids!.push(r.id);
    m.set(key, e);
  }
  return [...m.values()].sort((a, b) => b.count - a.count);
}
