import { readFileSync, writeFileSync } from 'node:fs';
import { loadSyncDocument, looksLikeSync, serializeSyncDocument } from '../../jobs/sync/definition';
import { parseDocumentText, serializeDocument, type DocumentFormat } from '../../model/document-io';
import { validateDocument } from '../../engine/validate';
import { formatProblems } from '../format';
import { EXIT, loadPipelineFile, UsageError, type Io } from '../io';

/** The canonical text of a sync definition; an exit code when it does not load; undefined for other documents. */
function exportSync(file: string, format: DocumentFormat, io: Io): string | number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (!looksLikeSync(parseDocumentText(text, file).value)) return undefined;
  const loaded = loadSyncDocument(text, file);
  if (!loaded.document) {
    io.err(formatProblems(loaded.problems, file));
    return EXIT.invalid;
  }
  return serializeSyncDocument(loaded.document, format);
}

/** Re-writes a pipeline in canonical JSON or YAML (secrets stay references: documents never hold them). */
export async function exportCommand(file: string, flags: { format: string; output?: string }, io: Io): Promise<number> {
  if (flags.format !== 'json' && flags.format !== 'yaml') throw new UsageError(`--format is json or yaml, not '${flags.format}'`);
  // A sync definition (kind: sync) is exported the same way, canonically.
  const sync = exportSync(file, flags.format, io);
  if (sync !== undefined) {
    if (typeof sync === 'number') return sync;
    if (flags.output) writeFileSync(flags.output, sync);
    else io.out(sync.trimEnd());
    return EXIT.ok;
  }
  const loaded = loadPipelineFile(file);
  if (!loaded.document) {
    io.err(formatProblems(loaded.problems, file));
    return EXIT.invalid;
  }
  const { problems } = await validateDocument(loaded.document, { baseDir: loaded.baseDir });
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) io.err(formatProblems(errors, file) + '\n(exported anyway: the document is well-formed, but it will not run as is)');
  const text = serializeDocument(loaded.document, flags.format as DocumentFormat);
  if (flags.output) writeFileSync(flags.output, text);
  else io.out(text.trimEnd());
  return EXIT.ok;
}
