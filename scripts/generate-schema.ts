// Writes resources/pipeline.schema.json from the zod schemas (npm run schema:generate).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pipelineJsonSchemaText } from '../app/nodes/json-schema';
import { nodeRegistry } from '../app/nodes/registry';

export const SCHEMA_PATH = fileURLToPath(new URL('../resources/pipeline.schema.json', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_PATH, pipelineJsonSchemaText(nodeRegistry));
  console.log(`wrote ${SCHEMA_PATH}`);
}
