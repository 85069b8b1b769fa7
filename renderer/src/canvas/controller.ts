import type { ReactFlowInstance } from '@xyflow/react';
import type { FlowEdge, FlowNode, Dimensions } from './derive';

/**
 * The canvas's viewport and measurements, for the commands that act on it from outside
 * (toolbar, shortcuts): React Flow's instance is registered here by the canvas.
 */
let instance: ReactFlowInstance<FlowNode, FlowEdge> | undefined;
let sizes: ReadonlyMap<string, Dimensions> = new Map();

export function registerCanvas(rf: ReactFlowInstance<FlowNode, FlowEdge> | undefined): void {
  instance = rf;
}

export function setMeasuredSizes(m: ReadonlyMap<string, Dimensions>): void {
  sizes = m;
}

export function measuredSizes(): ReadonlyMap<string, Dimensions> {
  return sizes;
}

export function canvas(): ReactFlowInstance<FlowNode, FlowEdge> | undefined {
  return instance;
}

/** Where a new node goes: the centre of the visible canvas (flow coordinates). */
export function viewportCentre(): { x: number; y: number } {
  const el = document.querySelector('.react-flow');
  if (!instance || !el) return { x: 0, y: 0 };
  const r = el.getBoundingClientRect();
  const p = instance.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + r.height / 2 });
  return { x: p.x - 90, y: p.y - 30 };
}

/** Pans (keeping the zoom) so that a point of the flow is inside the visible canvas. */
export function ensureVisible(p: { x: number; y: number }, size = { width: 200, height: 80 }): void {
  const el = document.querySelector('.react-flow');
  if (!instance || !el) return;
  const r = el.getBoundingClientRect();
  const { x, y, zoom } = instance.getViewport();
  const left = p.x * zoom + x;
  const top = p.y * zoom + y;
  const inside = left >= 0 && top >= 0 && left + size.width * zoom <= r.width && top + size.height * zoom <= r.height;
  if (!inside) void instance.setCenter(p.x + size.width / 2, p.y + size.height / 2, { zoom, duration: 0 });
}
