import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What the desktop app remembers between starts: where its window was, and recent pipelines. */
export interface AppState {
  bounds?: { x?: number; y?: number; width: number; height: number };
  maximized?: boolean;
  recent: string[];
}

const MAX_RECENT = 10;

export function loadAppState(file: string): AppState {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<AppState>;
    const b = v.bounds;
    const bounds =
      b && Number.isFinite(b.width) && Number.isFinite(b.height) && b.width >= 400 && b.height >= 300
        ? { x: Number.isFinite(b.x) ? b.x : undefined, y: Number.isFinite(b.y) ? b.y : undefined, width: b.width, height: b.height }
        : undefined;
    return {
      bounds,
      maximized: v.maximized === true,
      recent: Array.isArray(v.recent) ? v.recent.filter((r): r is string => typeof r === 'string').slice(0, MAX_RECENT) : [],
    };
  } catch {
    return { recent: [] };
  }
}

/** Written atomically (temp file + rename): a crash mid-write never loses the old state. */
export function saveAppState(file: string, state: AppState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, file);
}

export function withRecent(state: AppState, pipelineId: string): AppState {
  return { ...state, recent: [pipelineId, ...state.recent.filter((r) => r !== pipelineId)].slice(0, MAX_RECENT) };
}
