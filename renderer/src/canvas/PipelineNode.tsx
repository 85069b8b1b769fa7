import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { isRunning, useRuns } from '../stores/runs';
import { useValidation } from '../stores/validation';
import type { FlowNode } from './derive';
import type { PortInfo } from './ports';

const fmt = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(n >= 100_000 ? 0 : 1)}k` : n.toLocaleString('en-US'));

/** One node's problems as a short key (`errors/warnings/first message`): one subscription, a string compare. */
function problemKey(problems: ReadonlyArray<{ nodeId?: string; severity: string; message: string }>, nodeId: string): string {
  let errors = 0;
  let warnings = 0;
  let first = '';
  for (const p of problems) {
    if (p.nodeId !== nodeId) continue;
    if (p.severity === 'error') errors++;
    else warnings++;
    first ||= p.message;
  }
  return errors || warnings ? `${errors}\u0000${warnings}\u0000${first}` : '';
}

/** Errors and warnings of one node, before a run (from pipeline/validate). */
function ProblemBadge({ nodeId }: { nodeId: string }) {
  const key = useValidation((s) => problemKey(s.problems, nodeId));
  if (!key) return null;
  const [e, w, first] = key.split('\u0000');
  const errors = Number(e);
  const warnings = Number(w);
  return (
    <span className={`badge ${errors ? 'badge-error' : 'badge-warning'}`} data-testid="node-problem-badge" title={first} aria-label={`${errors} errors, ${warnings} warnings`}>
      {errors ? `⚠ ${errors}` : `! ${warnings}`}
    </span>
  );
}

/** Rows in, out and rejected of the current run at this node (while it runs and after). */
function CountsBadge({ nodeId }: { nodeId: string }) {
  const stats = useRuns((s) => {
    const job = s.activeJobId ? s.jobs[s.activeJobId] : undefined;
    const list = job?.result?.nodes ?? job?.progress?.nodes;
    return list?.find((n) => n.nodeId === nodeId);
  });
  const running = useRuns((s) => isRunning(s.activeJobId ? s.jobs[s.activeJobId] : undefined));
  if (!stats) return null;
  return (
    <div className={`node-counts${running ? ' running' : ''}`} data-testid="node-counts" data-rows-in={stats.rowsIn} data-rows-out={stats.rowsOut} data-rejected={stats.rejected}>
      <span title="rows in">↘ {fmt(stats.rowsIn)}</span>
      <span title="rows out">↗ {fmt(stats.rowsOut)}</span>
      {stats.rejected > 0 && (
        <span className="rejected-count" title="rejected">
          ✕ {fmt(stats.rejected)}
        </span>
      )}
    </div>
  );
}

/** Ports whose names are shown (several on a side, a `rejected` one, or a name other than in/out). */
function labelled(ports: PortInfo[], side: 'in' | 'out'): boolean {
  return ports.length > 1 || ports.some((p) => p.kind === 'rejected' || p.name !== (side === 'in' ? 'in' : 'out'));
}

function PortHandles({ ports, side }: { ports: PortInfo[]; side: 'in' | 'out' }) {
  const n = ports.length;
  const showNames = labelled(ports, side);
  return (
    <>
      {ports.map((p, i) => {
        const top = `${((i + 1) / (n + 1)) * 100}%`;
        return (
          <Handle
            key={p.name}
            id={p.name}
            type={side === 'in' ? 'target' : 'source'}
            position={side === 'in' ? Position.Left : Position.Right}
            className={`port port-${p.kind}`}
            style={{ top }}
            data-testid={`port-${side}-${p.name}`}
            title={`${p.name}${p.description ? `: ${p.description}` : ''}`}
            aria-label={`${side === 'in' ? 'input' : 'output'} ${p.name}`}
          >
            {showNames && <span className={`port-label port-label-${side}`}>{p.name}</span>}
          </Handle>
        );
      })}
    </>
  );
}

/** A node on the canvas: its type, label, ports by kind, and badges. Memoised: redraws only when its own data changes. */
export const PipelineNode = memo(function PipelineNode({ data, selected }: NodeProps<FlowNode>) {
  return (
    <div
      className={`pipeline-node cat-${data.category}${selected ? ' selected' : ''}${labelled(data.ports.inputs, 'in') ? ' in-labels' : ''}${labelled(data.ports.outputs, 'out') ? ' out-labels' : ''}`}
      data-testid="canvas-node"
      data-node-id={data.nodeId}
      data-node-type={data.nodeType}
      aria-label={`${data.typeTitle} node ${data.label}`}
    >
      <PortHandles ports={data.ports.inputs} side="in" />
      <div className="node-head">
        <span className="node-type">{data.typeTitle}</span>
        <ProblemBadge nodeId={data.nodeId} />
      </div>
      <div className="node-label">{data.label}</div>
      <CountsBadge nodeId={data.nodeId} />
      <PortHandles ports={data.ports.outputs} side="out" />
    </div>
  );
});
