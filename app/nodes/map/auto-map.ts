import { editDistance } from '../../model/problems';

/**
 * Matching source columns to target columns by name, for map's `auto` and the mapping
 * editor. Names match when they are equal ignoring case, spaces, underscores and hyphens
 * (`Order ID`, `order_id`, `orderId` and `ORDER-ID` all match). An exact match wins over a
 * normalised one; when two sources normalise to the same target name and neither matches
 * exactly, the target stays unmatched and both are offered as suggestions.
 */
export interface ColumnMatch {
  source: string;
  target: string;
  /** exact: identical names; normalized: equal ignoring case, spaces, `_` and `-`. */
  how: 'exact' | 'normalized';
}

export interface ColumnSuggestion {
  target: string;
  /** Unmatched source columns with a close name, best first. */
  candidates: string[];
}

export interface MatchResult {
  matches: ColumnMatch[];
  /** For each unmatched target that has near misses. */
  suggestions: ColumnSuggestion[];
  unmatchedTargets: string[];
  unmatchedSources: string[];
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

export function matchColumns(sourceNames: readonly string[], targetNames: readonly string[]): MatchResult {
  const used = new Set<string>();
  const byTarget = new Map<string, ColumnMatch>();
  for (const t of targetNames) {
    if (sourceNames.includes(t) && !used.has(t)) {
      byTarget.set(t, { source: t, target: t, how: 'exact' });
      used.add(t);
    }
  }
  const suggestions: ColumnSuggestion[] = [];
  for (const t of targetNames) {
    if (byTarget.has(t)) continue;
    const n = normalizeName(t);
    const same = sourceNames.filter((s) => !used.has(s) && normalizeName(s) === n);
    if (same.length === 1) {
      byTarget.set(t, { source: same[0], target: t, how: 'normalized' });
      used.add(same[0]);
    } else if (same.length > 1) {
      suggestions.push({ target: t, candidates: same });
    }
  }
  const unmatchedSources = sourceNames.filter((s) => !used.has(s));
  const unmatchedTargets = targetNames.filter((t) => !byTarget.has(t));
  for (const t of unmatchedTargets) {
    if (suggestions.some((s) => s.target === t)) continue;
    const n = normalizeName(t);
    const near = unmatchedSources
      .map((s) => ({ s, d: editDistance(n, normalizeName(s)) }))
      .filter(({ s, d }) => d <= Math.max(1, Math.floor(Math.max(n.length, normalizeName(s).length) / 3)))
      .sort((a, b) => a.d - b.d)
      .map(({ s }) => s);
    if (near.length > 0) suggestions.push({ target: t, candidates: near });
  }
  return {
    matches: targetNames.flatMap((t) => (byTarget.has(t) ? [byTarget.get(t)!] : [])),
    suggestions,
    unmatchedTargets,
    unmatchedSources,
  };
}
