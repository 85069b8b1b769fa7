import type { PipelineDocument } from '../../../app/model/document';

const keys = new WeakMap<PipelineDocument, string>();

/**
 * The document's meaning as a string, without node positions and titles: moving a node
 * changes no rows, so it need not re-validate or refresh the preview.
 */
export function contentKey(doc: PipelineDocument): string {
  let k = keys.get(doc);
  if (k === undefined) {
    k = JSON.stringify({ ...doc, nodes: doc.nodes.map(({ position: _p, title: _t, ...n }) => n) });
    keys.set(doc, k);
  }
  return k;
}
