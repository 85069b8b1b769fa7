import { useRef, type KeyboardEvent, type PointerEvent } from 'react';

interface Props {
  /** vertical: a bar between columns (resizes a width); horizontal: between rows (a height). */
  orientation: 'vertical' | 'horizontal';
  label: string;
  size: number;
  /** +1 when moving right/down grows the panel, -1 when it shrinks it. */
  direction: 1 | -1;
  onResize(size: number): void;
  onToggle(): void;
  testId: string;
}

/** A draggable, keyboard-operable panel divider (arrows resize, Enter collapses). */
export function Splitter({ orientation, label, size, direction, onResize, onToggle, testId }: Props) {
  const start = useRef<{ pos: number; size: number } | null>(null);
  const horizontal = orientation === 'horizontal';
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    start.current = { pos: horizontal ? e.clientY : e.clientX, size };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!start.current) return;
    const delta = (horizontal ? e.clientY : e.clientX) - start.current.pos;
    onResize(start.current.size + delta * direction);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 60 : 20;
    const grow = horizontal ? (e.key === 'ArrowDown' ? 1 : e.key === 'ArrowUp' ? -1 : 0) : e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (grow) {
      e.preventDefault();
      onResize(size + grow * step * direction);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      onToggle();
    }
  };
  return (
    <div
      className={`splitter splitter-${orientation}`}
      role="separator"
      aria-orientation={orientation}
      aria-label={label}
      aria-valuenow={size}
      tabIndex={0}
      data-testid={testId}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={() => (start.current = null)}
      onDoubleClick={onToggle}
      onKeyDown={onKeyDown}
    />
  );
}
