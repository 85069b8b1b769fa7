import type { Schema } from '../../model/schema';
import { T } from '../../model/types';
import type { Row } from '../../model/values';
import type { RejectReason } from '../types';

/** Columns a `rejected` port adds to the input's, so a rejects file says why each row failed. */
export const REJECT_COLUMNS = ['_rejected_node', '_rejected_rule', '_rejected_column', '_rejected_message'] as const;

export function rejectedSchema(input: Schema): Schema {
  return {
    columns: [...input.columns, ...REJECT_COLUMNS.map((name) => ({ name, type: T.text, nullable: true }))],
    key: input.key,
  };
}

/** The input row plus its reasons (several failures are joined with '; '). */
export function rejectedRow(nodeId: string, row: Row, reasons: RejectReason[]): Row {
  const join = (f: (r: RejectReason) => string | undefined): string | null => {
    const parts = reasons.map(f).filter((x): x is string => !!x);
    return parts.length ? [...new Set(parts)].join('; ') : null;
  };
  return [...row, nodeId, join((r) => r.rule), join((r) => r.column), join((r) => r.message)];
}
