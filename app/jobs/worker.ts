// The job worker thread's entry: bundled to dist/worker.mjs (scripts/build.mjs) and to
// out/main/worker.js (electron.vite.config.ts). Each job kind is one line here.
import { runMigrationJob } from './migration/migration-job';
import { runPipelineJob } from './pipeline-job';
import { runPreviewJob } from './preview-job';
import { runReplayJob } from './replay-job';
import { runBatchJob } from './batch/batch-job';
import { runSyncJob } from './sync/sync-job';
import { serveJob } from './worker-runtime';

serveJob({
  migration: runMigrationJob,
  pipeline: runPipelineJob,
  preview: runPreviewJob,
  replay: runReplayJob,
  sync: runSyncJob,
  batch: runBatchJob,
});
