import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { MethodOutput } from '../../../app/contract';
import type { PipelineDocument } from '../../../app/model/document';
import { api } from '../api';

export type PreviewResult = MethodOutput<'pipeline/preview'>;

/** The rows at one node's output (the Preview tab), fetched for the document being edited. */
export interface PreviewState {
  nodeId: string | undefined;
  port: string | undefined;
  limit: number;
  result: PreviewResult | undefined;
  /** The document the result was computed from (stale when the editor's differs). */
  computedFor: PipelineDocument | undefined;
  loading: boolean;
  error: string | undefined;
  /** Milliseconds from the answer to the rows on screen (set by the grid, for the bench). */
  renderMs: number | undefined;
  /** performance.now() when the answer arrived. */
  receivedAt: number | undefined;
  setLimit(limit: number): void;
  load(doc: PipelineDocument, nodeId: string, opts?: { port?: string; pipelineId?: string }): Promise<void>;
  setRenderMs(ms: number): void;
}

let latest = 0;

export const previewStore = createStore<PreviewState>()((set, get) => ({
  nodeId: undefined,
  port: undefined,
  limit: 1000,
  result: undefined,
  computedFor: undefined,
  loading: false,
  error: undefined,
  renderMs: undefined,
  receivedAt: undefined,
  setLimit: (limit) => set({ limit }),
  setRenderMs: (renderMs) => set({ renderMs }),
  async load(doc, nodeId, opts = {}) {
    const mine = ++latest;
    set({ loading: true, nodeId, port: opts.port, error: undefined });
    try {
      const result = await api.call('pipeline/preview', {
        document: doc,
        node: nodeId,
        limit: get().limit,
        ...(opts.port ? { port: opts.port } : {}),
        ...(opts.pipelineId ? { id: opts.pipelineId } : {}),
      });
      if (mine !== latest) return;
      set({ result, computedFor: doc, loading: false, renderMs: undefined, receivedAt: performance.now() });
    } catch (e) {
      if (mine !== latest) return;
      set({ error: (e as Error).message, result: undefined, computedFor: doc, loading: false });
    }
  },
}));

export function usePreview<T>(selector: (s: PreviewState) => T): T {
  return useStore(previewStore, selector);
}
