import type { Env } from '../engine/connections';
import type { JobRunner } from '../jobs/runner';
import type { NodeRegistry } from '../nodes/registry';
import type { WorkbenchStore } from '../store';
import type { Workspace } from './workspace';

/**
 * Encrypts connection passwords so they are never stored in plain text. The desktop app
 * implements it with Electron's safeStorage (the OS keychain); the browser host and the
 * CLI have none, so they refuse passwords and take `${env:NAME}` references instead.
 */
export interface SecretBox {
  encrypt(plain: string): Uint8Array;
  decrypt(data: Uint8Array): string;
}

/** Native file dialogs (Electron); the browser host has none. */
export interface NativeDialogs {
  /** With read: false, only the chosen path comes back (a SQLite database is not read as text). */
  open(opts: { title?: string; filters?: Array<{ name: string; extensions: string[] }>; read?: boolean }): Promise<{ canceled: boolean; fileName?: string; text?: string; path?: string }>;
  save(opts: { title?: string; defaultName: string; text: string; filters?: Array<{ name: string; extensions: string[] }> }): Promise<{ canceled: boolean; path?: string }>;
}

/** Everything the handlers need; each host (Electron, browser, tests) assembles its own. */
export interface HostDeps {
  hostKind: 'electron' | 'browser';
  version: string;
  workspace: Workspace;
  store: WorkbenchStore;
  jobs: JobRunner;
  /** Runs previews in worker threads too, apart from the jobs (a preview never queues behind a long run). */
  previews: JobRunner;
  secrets?: SecretBox;
  dialogs?: NativeDialogs;
  /** Where `${env:…}` references resolve (default process.env). */
  env?: Env;
  registry?: NodeRegistry;
  /** The batch pool's worker script, when it is not beside the job worker (tests running from source). */
  batchWorkerFile?: string;
  /** The host's sync scheduler, once it runs: when a sync runs next, and a rescan after a save. */
  schedules?: { nextRunAt(id: string): number | undefined; rescan(): Promise<void> };
}
