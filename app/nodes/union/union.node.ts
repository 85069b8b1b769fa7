import { z } from 'zod';
import type { Column, Schema } from '../../model/schema';
import { formatType } from '../../model/types';
import type { Row, Value } from '../../model/values';
import type { ProblemSink } from '../common/columns';
import { defineNode } from '../types';
import { converter, widenType } from './widen';

const config = z
  .object({
    by: z
      .enum(['name', 'position'])
      .default('name')
      .describe(
        'name: columns match by name, the output has every column in first-seen order (NULL where an input lacks one); position: the n-th columns match (same count), named as in the first input.',
      ),
  })
  .strict();

type Config = z.infer<typeof config>;

/** For each input: where each output column comes from (-1: NULL) and how its values widen. */
interface Layout {
  schema: Schema;
  from: number[][];
  convert: Array<Array<((v: Value) => Value) | undefined>>;
}

function layout(c: Config, inputs: Schema[], problem: ProblemSink['problem'] | undefined): Layout | undefined {
  let ok = true;
  const columns: Column[] = [];
  const from: number[][] = inputs.map(() => []);
  if (c.by === 'position') {
    const width = inputs[0]?.columns.length ?? 0;
    inputs.forEach((s, k) => {
      if (s.columns.length !== width) {
        problem?.('by', `input ${k + 1} has ${s.columns.length} columns but input 1 has ${width}: by position, every input needs the same number`);
        ok = false;
      }
    });
    if (!ok) return undefined;
    for (let i = 0; i < width; i++) {
      columns.push({ ...inputs[0].columns[i] });
      inputs.forEach((_, k) => from[k].push(i));
    }
  } else {
    for (const s of inputs) {
      for (const col of s.columns) if (!columns.some((x) => x.name === col.name)) columns.push({ ...col });
    }
    inputs.forEach((s, k) => {
      for (const col of columns) from[k].push(s.columns.findIndex((x) => x.name === col.name));
    });
  }
  // Types: widen across inputs; where they cannot, name both types and inputs.
  columns.forEach((col, i) => {
    let type = undefined as Column['type'] | undefined;
    let first = -1;
    let nullable = false;
    inputs.forEach((s, k) => {
      const j = from[k][i];
      if (j < 0) {
        nullable = true;
        return;
      }
      const t = s.columns[j].type;
      nullable ||= s.columns[j].nullable;
      if (!type) {
        type = t;
        first = k;
        return;
      }
      const w = widenType(type, t);
      if (!w) {
        const other = s.columns[j].name;
        problem?.(
          'by',
          `column '${col.name}' is ${formatType(type)} in input ${first + 1} but ${formatType(t)} in input ${k + 1}` +
            `${other !== col.name ? ` (as '${other}')` : ''}: cast one of them first`,
        );
        ok = false;
        return;
      }
      type = w;
    });
    if (type) col.type = type;
    col.nullable = nullable;
  });
  if (!ok) return undefined;
  const convert = inputs.map((s, k) => columns.map((col, i) => (from[k][i] < 0 ? undefined : converter(s.columns[from[k][i]].type, col.type))));
  return { schema: { columns }, from, convert };
}

function mapper(l: Layout, k: number): ((rows: Row[]) => Row[]) | undefined {
  const from = l.from[k];
  const conv = l.convert[k];
  const identity = from.every((f, i) => f === i) && conv.every((x) => !x);
  if (identity && from.length > 0) return undefined;
  return (rows) =>
    rows.map((row) => {
      const o: Row = new Array(from.length);
      for (let i = 0; i < from.length; i++) {
        const f = from[i];
        const v = f < 0 ? null : row[f];
        const c = conv[i];
        o[i] = c ? c(v) : v;
      }
      return o;
    });
}

export const unionNode = defineNode<Config>({
  type: 'union',
  title: 'Union',
  category: 'combine',
  description:
    'Combines the rows of several inputs into one stream (UNION ALL: duplicates stay). Columns match by name or position; numbers ' +
    'widen (int < bigint < decimal < float), other differing types need an explicit cast. The inputs are read at the same time, so ' +
    'rows interleave in the order batches arrive.',
  config,
  example: { by: 'name' },
  ports: () => ({
    inputs: [{ name: 'in', kind: 'data', multiple: true, description: 'Any number of inputs.' }],
    outputs: [{ name: 'out', kind: 'data' }],
  }),

  plan(ctx) {
    const inputs = ctx.inputs.in ?? [];
    if (inputs.length === 0) {
      ctx.problem('', 'connect at least one input');
      return {};
    }
    const l = layout(ctx.config, inputs, ctx.problem);
    return l ? { out: l.schema } : {};
  },

  async run(ctx) {
    const inputs = ctx.inputs('in');
    const out = ctx.output();
    const l = layout(
      ctx.config,
      inputs.map((i) => i.schema),
      undefined,
    );
    if (!l) throw new Error('union: the inputs do not combine (validate the pipeline)');
    let stop = false;
    let failure: { error: unknown } | undefined;
    // Read every input at once: reading them one after another could deadlock when two of
    // them come from the same upstream node.
    const pump = async (k: number) => {
      const map = mapper(l, k);
      try {
        for await (const rows of inputs[k]) {
          if (stop) break;
          await out.push(map ? map(rows) : rows);
          if (out.done) stop = true;
          if (stop) break;
        }
      } catch (error) {
        stop = true;
        failure ??= { error };
      }
    };
    await Promise.all(inputs.map((_, k) => pump(k)));
    if (failure) throw failure.error;
  },
});
