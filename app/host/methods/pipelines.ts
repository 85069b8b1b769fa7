import { formatFromPath, serializeDocument } from '../../model/document-io';
import type { Handlers } from '../../contract';
import type { HostDeps } from '../deps';
import {
  baseName,
  freePipelineId,
  invalidDocument,
  listPipelineFiles,
  parseDocumentValue,
  readPipelineFile,
  summaryOf,
} from '../pipelines';
import { loadDocument } from '../../model/document-io';

/** Pipeline files in the workspace: list, read, write, import and export. */
export function pipelineFileHandlers(
  deps: HostDeps,
): Pick<Handlers, 'pipelines/list' | 'pipelines/get' | 'pipelines/save' | 'pipelines/delete' | 'pipelines/import' | 'pipelines/export'> {
  const ws = deps.workspace;
  return {
    'pipelines/list': async () => ({ pipelines: await listPipelineFiles(ws) }),

    'pipelines/get': async ({ id }) => {
      const f = await readPipelineFile(ws, id);
      return { id, name: f.name, format: f.format, text: f.text, document: f.document, problems: f.problems };
    },

    'pipelines/save': async ({ id, text, document, createOnly }) => {
      let out: string;
      if (document !== undefined) {
        const parsed = parseDocumentValue(document);
        if (!parsed.document) throw invalidDocument('the document', parsed.problems);
        out = serializeDocument(parsed.document, formatFromPath(id));
      } else {
        // Text is kept exactly as written, even while it does not load yet (an editor's
        // work in progress): the summary says whether it loads.
        out = text!;
      }
      await ws.writeFile(id, out, { createOnly, createFolders: true });
      return summaryOf(await readPipelineFile(ws, id));
    },

    'pipelines/delete': async ({ id }) => {
      await ws.deleteFile(id);
      return { deleted: true };
    },

    'pipelines/import': async ({ fileName, text }) => {
      const loaded = loadDocument(text, fileName);
      if (!loaded.document) throw invalidDocument(fileName, loaded.problems);
      const id = await freePipelineId(ws, fileName, formatFromPath(fileName));
      await ws.writeFile(id, text, { createOnly: true });
      return summaryOf(await readPipelineFile(ws, id));
    },

    'pipelines/export': async ({ id, format }) => {
      const f = await readPipelineFile(ws, id);
      if (!f.document) throw invalidDocument(id, f.problems);
      return { fileName: `${baseName(id)}.${format === 'json' ? 'json' : 'yaml'}`, text: serializeDocument(f.document, format) };
    },
  };
}
