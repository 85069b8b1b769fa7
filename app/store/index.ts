export { WorkbenchStore } from './store';
export { defaultStorePath, dataFolder, STORE_FILE_NAME } from './paths';
export { StoreError, StoreVersionError, PlainTextSecretError } from './errors';
export { MIGRATIONS, LATEST_VERSION, type Migration, type MigrationResult } from './migrations';
export type { OpenOptions } from './database';
export { isSecretRef } from './secrets';
export { newRunId, runIdTime } from './ids';
export * from './types';
export type { SyncState, SyncOp, QueueEntry, QueueEntryInput, BoundaryEntry, SyncRepo } from './syncs';
