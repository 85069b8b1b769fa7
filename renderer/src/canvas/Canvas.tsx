import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore as useFlowStore,
  type Connection,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useCallback, useEffect, useMemo, useRef, type DragEvent } from 'react';
import { addNode, deleteSelection, previewNode } from '../actions';
import { targetOf } from '../lib/edges';
import { catalogStore, useCatalog } from '../stores/catalog';
import { documentStore, useDocument } from '../stores/document';
import { selectionStore, useSelection } from '../stores/selection';
import { useUi } from '../stores/ui';
import { registerCanvas, setMeasuredSizes } from './controller';
import { NodeDeriver, deriveEdges, type Dimensions, type FlowEdge, type FlowNode } from './derive';
import { nodeTypes } from './nodeTypes';
import { portsOf } from './ports';

/** Drag payloads the canvas accepts: a node type from the palette, a table from the schema browser. */
export const DRAG_NODE_TYPE = 'application/x-sluice-node-type';
export const DRAG_TABLE = 'application/x-sluice-table';

const SNAP: [number, number] = [20, 20];
const PRO_OPTIONS = { hideAttribution: true };
const FIT_OPTIONS = { padding: 0.15, maxZoom: 1 };
const DELETE_KEYS = ['Delete', 'Backspace'];
const ZOOMED_OUT = 0.35;
const ZOOMED_FAR = 0.2;
const BIG_GRAPH = 150;
const MINIMAP_SIZE = { width: 160, height: 110 };

function minimapColor(n: FlowNode): string {
  switch (n.data.category) {
    case 'source':
      return 'var(--cat-source)';
    case 'sink':
      return 'var(--cat-sink)';
    case 'quality':
      return 'var(--cat-quality)';
    case 'combine':
      return 'var(--cat-combine)';
    default:
      return 'var(--cat-transform)';
  }
}

/**
 * Pressing the canvas ends the edit of a field in the inspector (React Flow keeps the focus
 * where it was): the edit becomes its undo step, and shortcuts act on the pipeline again.
 */
function leaveTextFields(): void {
  const el = document.activeElement;
  if (el instanceof HTMLElement && !el.closest('.canvas') && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))) el.blur();
}

/** The pipeline as a graph. Nodes and edges are derived from the document store on every change. */
export function Canvas() {
  const rf = useReactFlow<FlowNode, FlowEdge>();
  const doc = useDocument((s) => s.doc);
  const byType = useCatalog((s) => s.byType);
  const selectedNodes = useSelection((s) => s.nodes);
  const selectedEdges = useSelection((s) => s.edges);
  const snap = useUi((s) => s.snapToGrid);
  const minimap = useUi((s) => s.showMinimap);
  const theme = useUi((s) => s.theme);
  // Far out, node details are too small to read: leaving them out keeps big graphs fluid.
  const detail = useFlowStore((s) => (s.transform[2] < ZOOMED_FAR ? ' zoomed-far' : s.transform[2] < ZOOMED_OUT ? ' zoomed-out' : ''));
  // Sizes React Flow measured, for the node objects derived after an edit (not state: a measurement re-renders nothing).
  const measured = useRef(new Map<string, Dimensions>());
  const deriver = useRef(new NodeDeriver());
  const dragging = useRef(false);

  useEffect(() => {
    registerCanvas(rf);
    return () => registerCanvas(undefined);
  }, [rf]);
  useEffect(() => setMeasuredSizes(measured.current), []);

  const nodes = useMemo(() => deriver.current.derive(doc, byType, selectedNodes, measured.current), [doc, byType, selectedNodes]);
  const edges = useMemo(() => deriveEdges(doc, byType, selectedEdges), [doc, byType, selectedEdges]);

  // Selections of ids that no longer exist (undo, delete) are dropped.
  useEffect(() => {
    selectionStore.getState().retain(new Set(doc.nodes.map((n) => n.id)), new Set(edges.map((e) => e.id)));
  }, [doc, edges]);

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    const sizes: Array<[string, Dimensions]> = [];
    const positions: Record<string, { x: number; y: number }> = {};
    let dragEnded = false;
    for (const c of changes) {
      if (c.type === 'dimensions' && c.dimensions) sizes.push([c.id, { width: c.dimensions.width, height: c.dimensions.height }]);
      else if (c.type === 'position') {
        if (c.position) positions[c.id] = c.position;
        if (c.dragging && !dragging.current) {
          dragging.current = true;
          documentStore.getState().beginGesture();
        }
        if (c.dragging === false) dragEnded = true;
      } else if (c.type === 'select') selectionStore.getState().setNodeSelected(c.id, c.selected);
    }
    for (const [id, d] of sizes) measured.current.set(id, d);
    if (Object.keys(positions).length) documentStore.getState().moveNodes(positions);
    if (dragEnded && dragging.current) {
      dragging.current = false;
      documentStore.getState().endGesture();
    }
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => {
    for (const c of changes) if (c.type === 'select') selectionStore.getState().setEdgeSelected(c.id, c.selected);
  }, []);

  const onConnect = useCallback((c: Connection) => {
    const doc = documentStore.getState().doc;
    const target = doc.nodes.find((n) => n.id === c.target);
    const inPort = portsOf(catalogStore.getState().byType[target?.type ?? ''], target?.config).inputs.find((p) => p.name === (c.targetHandle ?? 'in'));
    documentStore
      .getState()
      .connect({ node: c.source, port: c.sourceHandle ?? 'out' }, { node: c.target, port: c.targetHandle ?? 'in' }, { replaceInput: !inPort?.multiple });
  }, []);

  const isValidConnection: IsValidConnection<FlowEdge> = useCallback((c) => {
    if (c.source === c.target) return false;
    const doc = documentStore.getState().doc;
    return !doc.edges.some((e) => e.from.split('.')[0] === c.source && targetOf(e).node === c.target && targetOf(e).port === (c.targetHandle ?? 'in'));
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const type = e.dataTransfer.getData(DRAG_NODE_TYPE);
      const table = e.dataTransfer.getData(DRAG_TABLE);
      if (!type && !table) return;
      e.preventDefault();
      const at = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const place = { x: at.x - 90, y: at.y - 30 };
      if (type) addNode(type, place);
      else {
        const { connection, table: name } = JSON.parse(table) as { connection: string; table: string };
        // Shift while dropping: a sink into the table; otherwise a source reading it.
        const asSink = e.shiftKey;
        addNode(asSink ? 'sink' : 'source', place, asSink ? { connection, table: name, mode: 'insert' } : { connection, table: name }, name);
      }
    },
    [rf],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(DRAG_NODE_TYPE) || e.dataTransfer.types.includes(DRAG_TABLE)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  return (
    <div className={`canvas${detail}`} data-testid="canvas" onDrop={onDrop} onDragOver={onDragOver} onPointerDownCapture={leaveTextFields} aria-label="Pipeline canvas" role="application">
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onDelete={deleteSelection}
        onNodeDoubleClick={(_e, n) => previewNode(n.id)}
        deleteKeyCode={DELETE_KEYS}
        multiSelectionKeyCode={['Shift', 'Meta', 'Control']}
        selectionKeyCode="Shift"
        snapToGrid={snap}
        snapGrid={SNAP}
        fitView
        fitViewOptions={FIT_OPTIONS}
        minZoom={0.05}
        maxZoom={2}
        proOptions={PRO_OPTIONS}
        colorMode={theme}
        elevateNodesOnSelect={false}
        defaultEdgeOptions={{ interactionWidth: 16 }}
      >
        {/* The dot grid is repainted on every frame of a pan: on big graphs it costs more than it helps. */}
        {nodes.length <= BIG_GRAPH && <Background variant={BackgroundVariant.Dots} gap={SNAP[0]} size={1} />}
        {minimap && <MiniMap pannable zoomable nodeColor={minimapColor} ariaLabel="Minimap" style={MINIMAP_SIZE} />}
        <Controls showInteractive={false} aria-label="Zoom controls" />
      </ReactFlow>
      {doc.nodes.length === 0 && (
        <div className="canvas-empty" data-testid="canvas-empty">
          <p>Drag a node from the palette, or a table from a connection, onto the canvas.</p>
          <p className="muted">Press ? for keyboard shortcuts.</p>
        </div>
      )}
    </div>
  );
}
