import { NODE_ID_RE } from '../../../app/model/document';

/** A node id from free text: letters, digits, _ and -, starting with a letter or _. */
export function toNodeId(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[^A-Za-z_]+/, '');
  return NODE_ID_RE.test(cleaned) ? cleaned : `node_${cleaned}`.replace(/_+$/, '') || 'node';
}

/** `base` when free, else `base_2`, `base_3` … (a trailing `_N` of base is replaced, not stacked). */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  const id = toNodeId(base);
  if (!taken.has(id)) return id;
  const stem = id.replace(/_\d+$/, '') || 'node';
  for (let i = 2; ; i++) {
    const candidate = `${stem}_${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}
