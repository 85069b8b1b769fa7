import type { NodeTypes } from '@xyflow/react';
import { PipelineNode } from './PipelineNode';

/** Static: React Flow re-creates every node when this object changes. */
export const nodeTypes: NodeTypes = { pipeline: PipelineNode };
