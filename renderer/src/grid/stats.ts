import type { JsonScalar } from '../../../app/contract';

export interface ColumnStats {
  nulls: number;
  distinct: number;
  /** True when distinct stopped counting (very many values). */
  distinctCapped: boolean;
}

const DISTINCT_CAP = 100_000;

/** Null and distinct counts per column of the previewed rows. */
export function columnStats(rows: ReadonlyArray<ReadonlyArray<JsonScalar>>, columnCount: number): ColumnStats[] {
  const out: ColumnStats[] = [];
  for (let c = 0; c < columnCount; c++) {
    let nulls = 0;
    const seen = new Set<string | number | boolean>();
    let capped = false;
    for (const row of rows) {
      const v = row[c];
      if (v === null || v === undefined) nulls++;
      else if (!capped) {
        seen.add(v);
        if (seen.size >= DISTINCT_CAP) capped = true;
      }
    }
    out.push({ nulls, distinct: seen.size, distinctCapped: capped });
  }
  return out;
}

/** A cell as text: NULL shown apart from the empty string. */
export function cellText(v: JsonScalar): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}
