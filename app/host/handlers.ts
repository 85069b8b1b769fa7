import type { Handlers } from '../contract';
import type { HostDeps } from './deps';
import { catalogHandlers } from './methods/catalog';
import { connectionHandlers } from './methods/connections';
import { fileHandlers } from './methods/files';
import { jobHandlers } from './methods/jobs';
import { migrationHandlers } from './methods/migration';
import { pipelineFileHandlers } from './methods/pipelines';
import { runHandlers } from './methods/runs';
import { syncHandlers } from './methods/syncs';
import { pipelineWorkHandlers } from './methods/work';

/**
 * The host's implementation of the whole contract, as one object. Typed as Handlers, so a
 * method the contract declares but no module implements is a compile error here. Each
 * domain lives in its own module under methods/. Call it through dispatch(), which
 * validates the payload first.
 */
export function createHandlers(deps: HostDeps): Handlers {
  return {
    'workspace/info': async () => ({
      root: deps.workspace.root,
      name: deps.workspace.name,
      storePath: deps.store.path,
      host: deps.hostKind,
      secretStorage: deps.secrets !== undefined,
      nativeDialogs: deps.dialogs !== undefined,
      version: deps.version,
    }),
    ...catalogHandlers(deps),
    ...connectionHandlers(deps),
    ...pipelineFileHandlers(deps),
    ...pipelineWorkHandlers(deps),
    ...jobHandlers(deps),
    ...runHandlers(deps),
    ...syncHandlers(deps),
    ...migrationHandlers(deps),
    ...fileHandlers(deps),
  };
}
