import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useLayoutEffect, useMemo, useRef } from 'react';
import type { ApiColumn, JsonScalar } from '../../../app/contract';
import { cellText, columnStats, type ColumnStats } from './stats';

const ROW_HEIGHT = 26;
const MIN_COL = 90;
const MAX_COL = 320;

interface Props {
  columns: ApiColumn[];
  rows: JsonScalar[][];
  /** Cells to highlight: row index -> column name (the offending value of a rejected row). */
  highlight?: ReadonlyMap<number, string>;
  /** Called once the first rows are on screen, with the time since `startedAt`. */
  onRendered?(ms: number): void;
  startedAt?: number;
  label: string;
  testId?: string;
}

function widthOf(col: ApiColumn, rows: JsonScalar[][], index: number, stats: ColumnStats): number {
  const meta = `${col.type} ${stats.nulls} null · ${stats.distinct} distinct`.length * 0.85;
  let longest = Math.max(col.name.length, meta);
  for (let r = 0; r < Math.min(rows.length, 200); r++) longest = Math.max(longest, cellText(rows[r][index]).length);
  return Math.min(MAX_COL, Math.max(MIN_COL, longest * 7.5 + 20));
}

/** A virtualised grid: only the visible rows are in the DOM, so thousands of rows scroll smoothly. */
export const PreviewGrid = memo(function PreviewGrid({ columns, rows, highlight, onRendered, startedAt, label, testId = 'preview-grid' }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const stats = useMemo(() => columnStats(rows, columns.length), [rows, columns.length]);
  const widths = useMemo(() => columns.map((c, i) => widthOf(c, rows, i, stats[i])), [columns, rows, stats]);
  const template = widths.map((w) => `${w}px`).join(' ');
  const total = widths.reduce((a, b) => a + b, 0);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });

  useLayoutEffect(() => {
    if (onRendered && startedAt !== undefined) {
      requestAnimationFrame(() => onRendered(performance.now() - startedAt));
    }
  }, [rows, onRendered, startedAt]);

  return (
    <div className="grid-scroller" ref={scroller} role="grid" aria-label={label} aria-rowcount={rows.length + 1} aria-colcount={columns.length} data-testid={testId} data-rows={rows.length}>
      <div className="grid-head" role="row" style={{ gridTemplateColumns: template, width: total }}>
        {columns.map((c, i) => (
          <div key={c.name} className="grid-hcell" role="columnheader" data-testid="grid-column" data-column={c.name} title={`${c.name}: ${c.type}${c.nullable ? '' : ' NOT NULL'}`}>
            <div className="col-name">{c.name}</div>
            <div className="col-meta">
              <span className="col-type" data-testid="col-type">
                {c.type}
              </span>
              <span className="col-stats" data-testid="col-stats" data-nulls={stats[i].nulls} data-distinct={stats[i].distinct}>
                {stats[i].nulls} null · {stats[i].distinct}
                {stats[i].distinctCapped ? '+' : ''} distinct
              </span>
            </div>
          </div>
        ))}
      </div>
      <div className="grid-body" style={{ height: virtual.getTotalSize(), width: total }}>
        {virtual.getVirtualItems().map((item) => {
          const row = rows[item.index];
          const hot = highlight?.get(item.index);
          return (
            <div
              key={item.key}
              className="grid-row"
              role="row"
              aria-rowindex={item.index + 2}
              data-testid="grid-row"
              style={{ transform: `translateY(${item.start}px)`, gridTemplateColumns: template, height: ROW_HEIGHT }}
            >
              {row.map((v, i) => (
                <div
                  key={i}
                  role="gridcell"
                  className={`grid-cell${v === null ? ' null' : ''}${typeof v === 'number' ? ' num' : ''}${hot === columns[i].name ? ' offending' : ''}`}
                  data-testid={hot === columns[i].name ? 'offending-cell' : undefined}
                >
                  {cellText(v)}
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
});
