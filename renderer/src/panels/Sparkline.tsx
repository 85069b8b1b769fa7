import { memo } from 'react';

/** A small SVG line of values (rows per second over a run). */
export const Sparkline = memo(function Sparkline({ values, width = 160, height = 32, label }: { values: number[]; width?: number; height?: number; label: string }) {
  if (values.length < 2) return <svg width={width} height={height} role="img" aria-label={`${label}: not enough samples yet`} className="sparkline" />;
  const max = Math.max(...values, 1);
  const step = width / (values.length - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' ');
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`${label}: peak ${Math.round(max).toLocaleString('en-US')}`} className="sparkline" data-testid="throughput-chart">
      <polyline points={`0,${height} ${points} ${width},${height}`} className="spark-fill" />
      <polyline points={points} className="spark-line" />
    </svg>
  );
});
