import { useMemo, useState } from 'react';
import type { NodeTypeInfo } from '../../../app/contract';
import { addNode } from '../actions';
import { DRAG_NODE_TYPE } from '../canvas/Canvas';
import { useCatalog } from '../stores/catalog';

const CATEGORY_ORDER: NodeTypeInfo['category'][] = ['source', 'transform', 'quality', 'combine', 'sink'];
const CATEGORY_TITLES: Record<NodeTypeInfo['category'], string> = {
  source: 'Sources',
  transform: 'Transform',
  quality: 'Quality',
  combine: 'Combine',
  sink: 'Sinks',
};

function matches(t: NodeTypeInfo, q: string): boolean {
  const s = q.trim().toLowerCase();
  return !s || t.type.includes(s) || t.title.toLowerCase().includes(s) || t.description.toLowerCase().includes(s) || t.category.includes(s);
}

/** Node types from the catalogue: search first, then by category. Drag one onto the canvas, or press Enter. */
export function Palette() {
  const types = useCatalog((s) => s.nodeTypes);
  const error = useCatalog((s) => s.error);
  const [query, setQuery] = useState('');
  const found = useMemo(() => types.filter((t) => matches(t, query)), [types, query]);
  return (
    <div className="palette" data-testid="palette">
      <input
        type="search"
        className="palette-search"
        placeholder="Search nodes (Ctrl+K)"
        aria-label="Search node types"
        data-testid="palette-search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && found.length > 0) {
            addNode(found[0].type);
            setQuery('');
          }
        }}
      />
      {error && <p className="error">{error}</p>}
      {found.length === 0 && types.length > 0 && <p className="hint">No node type matches '{query}'.</p>}
      {CATEGORY_ORDER.map((cat) => {
        const list = found.filter((t) => t.category === cat);
        if (list.length === 0) return null;
        return (
          <div key={cat} className="palette-group" role="group" aria-label={CATEGORY_TITLES[cat]}>
            <div className="palette-category">{CATEGORY_TITLES[cat]}</div>
            <ul>
              {list.map((t) => (
                <li key={t.type}>
                  <button
                    type="button"
                    draggable
                    className={`palette-item cat-${t.category}`}
                    data-testid="palette-item"
                    data-node-type={t.type}
                    title={`${t.description}\nDrag onto the canvas, or press Enter to add it.`}
                    onDragStart={(e) => {
                      e.dataTransfer.setData(DRAG_NODE_TYPE, t.type);
                      e.dataTransfer.effectAllowed = 'copy';
                    }}
                    onClick={() => addNode(t.type)}
                  >
                    <span className="palette-dot" aria-hidden="true" />
                    <span className="palette-title">{t.title}</span>
                    <span className="palette-desc">{t.description}</span>
                  </button>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </div>
  );
}
