/**
 * The names of the contract's methods and events, and nothing else: the Electron preload
 * imports this file alone, so the sandboxed preload bundle stays tiny and free of zod.
 * methods.ts checks at compile time that its map has exactly these keys.
 */

export const METHOD_NAMES = [
  'workspace/info',
  'catalog/nodes',
  'catalog/connectors',
  'catalog/functions',
  'connections/list',
  'connections/get',
  'connections/save',
  'connections/delete',
  'connections/test',
  'connections/tables',
  'connections/describe',
  'pipelines/list',
  'pipelines/get',
  'pipelines/save',
  'pipelines/delete',
  'pipelines/import',
  'pipelines/export',
  'pipeline/validate',
  'pipeline/preview',
  'pipeline/run',
  'jobs/list',
  'jobs/get',
  'jobs/cancel',
  'runs/list',
  'runs/get',
  'runs/rejected',
  'runs/rejectedSummary',
  'runs/replay',
  'migration/plan',
  'migration/start',
  'migration/resume',
  'migration/verify',
  'migration/get',
  'runs/logs',
  'syncs/list',
  'syncs/get',
  'syncs/save',
  'syncs/export',
  'syncs/run',
  'syncs/reset',
  'files/read',
  'files/write',
  'files/list',
  'dialogs/open',
  'dialogs/save',
] as const;

export const EVENT_NAMES = ['job/progress', 'job/log', 'job/finished', 'app/command'] as const;

export type MethodName = (typeof METHOD_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

/** Electron IPC channels: one per method, one for every pushed event. */
export const IPC_PREFIX = 'sluice:';
export const IPC_EVENT_CHANNEL = 'sluice:event';

export function ipcChannel(method: MethodName): string {
  return IPC_PREFIX + method;
}

const methodSet: ReadonlySet<string> = new Set(METHOD_NAMES);
const eventSet: ReadonlySet<string> = new Set(EVENT_NAMES);

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && methodSet.has(name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && eventSet.has(name);
}
