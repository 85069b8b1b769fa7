import { z } from 'zod';
import type { Schema } from '../../model/schema';
import type { Row } from '../../model/values';
import { defineNode, type AnyNodeType, type RunContext } from '../types';

/**
 * A stand-in source node for a job that runs pipeline nodes over rows it brings itself (a
 * sync's source table, replayed rejected rows, one chunk of a batch job): it has no config,
 * plans `schema` on its one output and pushes what `rows` yields, stopping when nothing
 * downstream wants more.
 */
export function feedNode(spec: { type: string; title: string; description: string; schema: Schema; rows(ctx: RunContext<Record<string, never>>): AsyncIterable<Row[]> }): AnyNodeType {
  return defineNode<Record<string, never>>({
    type: spec.type,
    title: spec.title,
    category: 'source',
    description: spec.description,
    config: z.object({}),
    example: {},
    ports: () => ({ inputs: [], outputs: [{ name: 'out', kind: 'data' }] }),
    plan: () => ({ out: spec.schema }),
    async run(ctx) {
      const out = ctx.output();
      for await (const rows of spec.rows(ctx)) {
        await out.push(rows);
        if (out.done) break;
      }
    },
  });
}
