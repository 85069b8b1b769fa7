import { validateDocument } from '../../engine/validate';
import { formatType } from '../../model/types';
import { formatProblems } from '../format';
import { EXIT, loadPipelineFile, type Io } from '../io';

export async function validateCommand(file: string, flags: { json?: boolean }, io: Io): Promise<number> {
  const loaded = loadPipelineFile(file);
  const result = loaded.document ? await validateDocument(loaded.document, { baseDir: loaded.baseDir }) : undefined;
  const problems = [...loaded.problems, ...(result?.problems ?? [])];
  const errors = problems.filter((p) => p.severity === 'error').length;
  if (flags.json) {
    const schemas: Record<string, Record<string, unknown>> = {};
    for (const [id, ports] of result?.schemas ?? []) {
      schemas[id] = {};
      for (const [port, s] of Object.entries(ports)) {
        schemas[id][port] = s?.columns.map((c) => ({ name: c.name, type: formatType(c.type), nullable: c.nullable }));
      }
    }
    io.out(JSON.stringify({ valid: errors === 0, problems, schemas }, null, 2));
  } else if (problems.length > 0) {
    io.err(formatProblems(problems, file));
    io.err(`${errors} error(s), ${problems.length - errors} warning(s)`);
  } else {
    io.out(`${file}: valid (${loaded.document!.nodes.length} nodes, ${loaded.document!.edges.length} edges)`);
  }
  return errors > 0 ? EXIT.invalid : EXIT.ok;
}
