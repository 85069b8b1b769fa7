import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { ApiColumn, ApiProblem } from '../../../app/contract';
import type { PipelineDocument } from '../../../app/model/document';
import { api } from '../api';

/**
 * The document's problems and inferred schemas, from pipeline/validate, re-checked a moment
 * after each edit (as you type). Node badges, inline form errors, the expression editor's
 * diagnostics and the Problems panel all read it.
 */
export interface ValidationState {
  problems: ApiProblem[];
  /** nodeId -> port -> columns. */
  schemas: Record<string, Record<string, { columns: ApiColumn[]; key?: string[] }>>;
  /** The document these results belong to. */
  checked: PipelineDocument | undefined;
  checking: boolean;
  error: string | undefined;
  validate(doc: PipelineDocument, pipelineId?: string): Promise<void>;
}

let latest = 0;

export const validationStore = createStore<ValidationState>()((set) => ({
  problems: [],
  schemas: {},
  checked: undefined,
  checking: false,
  error: undefined,
  async validate(doc, pipelineId) {
    const mine = ++latest;
    set({ checking: true });
    try {
      const r = await api.call('pipeline/validate', { document: doc, ...(pipelineId ? { id: pipelineId } : {}) });
      // A slower answer for an older document must not overwrite a newer one.
      if (mine !== latest) return;
      set({ problems: r.problems, schemas: r.schemas, checked: doc, checking: false, error: undefined });
    } catch (e) {
      if (mine !== latest) return;
      set({ checking: false, error: (e as Error).message, checked: doc });
    }
  },
}));

export function useValidation<T>(selector: (s: ValidationState) => T): T {
  return useStore(validationStore, selector);
}

/** The node a problem is about, from its nodeId or its `nodes[i]` path. */
export function problemNode(p: ApiProblem, doc: PipelineDocument): string | undefined {
  if (p.nodeId) return p.nodeId;
  const m = /^nodes\[(\d+)\]/.exec(p.path);
  return m ? doc.nodes[Number(m[1])]?.id : undefined;
}

/** The config path a problem points at (`rules[0].expr`), relative to its node's config. */
export function configPath(p: ApiProblem): string | undefined {
  const m = /^nodes\[\d+\]\.config\.?(.*)$/.exec(p.path);
  return m ? m[1] : undefined;
}

/** The node's input columns (its upstream's output schema), for completion and mapping. */
export function inputColumns(
  schemas: ValidationState['schemas'],
  doc: PipelineDocument,
  nodeId: string,
  port = 'in',
): ApiColumn[] {
  for (const e of doc.edges) {
    const [toNode, toPort = 'in'] = e.to.split('.');
    if (toNode !== nodeId || toPort !== port) continue;
    const [fromNode, fromPort = 'out'] = e.from.split('.');
    return schemas[fromNode]?.[fromPort]?.columns ?? [];
  }
  return [];
}
