import type { Row } from '../../model/values';
import type { ConflictPolicy } from './definition';
import type { RowChange } from './diff';

/**
 * Conflict policies. A conflict is a change that would overwrite (or delete, or bring
 * back) a target row that is not as the sync last left it: the target changed on its own
 * since. The sync knows what it last wrote from the base hashes (store: sync_base), kept
 * per key when the policy needs them. Under source-wins nothing is a conflict: the target
 * mirrors the source. Otherwise:
 *   insert (no target row):  the sync wrote the key before (it has a base)  -> deleted on the target: conflict
 *   update (rows differ):    target hash = base                              -> the source changed: apply
 *                            otherwise (target changed, or never written by the sync) -> conflict
 *   delete (no source row):  target hash = base                              -> apply
 *                            otherwise                                       -> conflict
 * target-wins keeps the target's row (reported as a warning), skip keeps it and reports it
 * as a rejected row of the run; either way the next run meets it again until it is resolved.
 */

export interface Conflict {
  change: RowChange;
  reason: string;
}

export function classify(changes: readonly RowChange[], keyText: (row: Row) => string, policy: ConflictPolicy, base: ReadonlyMap<string, string> | undefined, hashText: (h: number) => string): { apply: RowChange[]; conflicts: Conflict[] } {
  if (policy === 'source-wins' || !base) return { apply: [...changes], conflicts: [] };
  const apply: RowChange[] = [];
  const conflicts: Conflict[] = [];
  for (const c of changes) {
    const b = base.get(keyText(c.row));
    const targetAsLeft = b !== undefined && c.targetHash !== undefined && b === hashText(c.targetHash);
    switch (c.kind) {
      case 'insert':
        if (b === undefined) apply.push(c);
        else conflicts.push({ change: c, reason: 'the row was deleted on the target since the sync last wrote it' });
        break;
      case 'update':
        if (targetAsLeft) apply.push(c);
        else conflicts.push({ change: c, reason: b === undefined ? 'the target row differs and the sync never wrote it' : 'the target row was changed since the sync last wrote it' });
        break;
      case 'delete':
        if (targetAsLeft) apply.push(c);
        else conflicts.push({ change: c, reason: b === undefined ? 'the row is gone from the source, but the sync never wrote its target row' : 'the row is gone from the source, but its target row was changed since the sync last wrote it' });
        break;
    }
  }
  return { apply, conflicts };
}
