import { describe, expect, it } from 'vitest';
import { createDocumentStore } from '../stores/document';
import { contentKey } from './content';

describe('content key', () => {
  it('ignores positions and titles, not configs or edges', () => {
    const s = createDocumentStore();
    s.getState().addNode('filter', { x: 0, y: 0 }, { where: 'a > 1' });
    const before = contentKey(s.getState().doc);
    s.getState().moveNodes({ filter: { x: 100, y: 50 } });
    s.getState().updateNode('filter', { title: 'Big ones' });
    expect(contentKey(s.getState().doc)).toBe(before);
    s.getState().updateConfig('filter', { where: 'a > 2' });
    expect(contentKey(s.getState().doc)).not.toBe(before);
  });
});
