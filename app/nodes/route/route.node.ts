import { z } from 'zod';
import { compileExpression, isTrue } from '../../expr';
import { NODE_ID_RE } from '../../model/document';
import { formatType } from '../../model/types';
import type { Row } from '../../model/values';
import { allDone } from '../common/batches';
import { checkConfigExpression, messageOf, scopeOf } from '../common/expressions';
import { defineNode, type OutputPort, type PortSpec, type RejectedRow } from '../types';

/** Output names route reserves for itself. */
const RESERVED = ['unmatched', 'rejected'];

const config = z
  .object({
    routes: z
      .array(
        z
          .object({
            name: z
              .string()
              .min(1)
              .describe('The output port of this route (letters, digits, _ and -); edges refer to it as node.name.')
              .meta({ examples: ['eu', 'big_orders'] }),
            when: z
              .string()
              .min(1)
              .describe('A SQL condition; the row takes this route when it is TRUE (FALSE and NULL do not match).')
              .meta({ examples: ["country IN ('FR', 'DE', 'IT')", 'total >= 1000'] }),
          })
          .strict(),
      )
      .min(1)
      .describe('Named routes, in order; each becomes an output port.'),
    mode: z
      .enum(['first', 'all'])
      .default('first')
      .describe('first: a row takes the first route it matches; all: a row goes out of every route it matches.'),
  })
  .strict();

type Config = z.infer<typeof config>;

export const routeNode = defineNode<Config>({
  type: 'route',
  title: 'Route',
  category: 'transform',
  description:
    'Sends rows to named outputs by conditions: one output per route, plus `unmatched` for rows no route takes. With mode first a ' +
    'row takes the first matching route; with mode all, every matching route.',
  config,
  example: {
    routes: [
      { name: 'eu', when: "country IN ('FR', 'DE', 'IT')" },
      { name: 'us', when: "country = 'US'" },
    ],
  },
  ports: (c) => {
    // Ports come from the config; a duplicate or reserved name is a plan problem, listed once here.
    const names = [...new Set(c.routes.map((r) => r.name))].filter((n) => !RESERVED.includes(n));
    const outputs: PortSpec[] = names.map((name) => ({ name, kind: 'data' }));
    outputs.push({ name: 'unmatched', kind: 'data', optional: true, description: 'Rows no route matched.' });
    outputs.push({ name: 'rejected', kind: 'rejected', description: 'Rows whose condition failed to evaluate.' });
    return { inputs: [{ name: 'in', kind: 'data' }], outputs };
  },

  plan(ctx) {
    const input = ctx.inputs.in[0];
    const scope = scopeOf(input, ctx.params);
    const seen = new Set<string>();
    let ok = true;
    ctx.config.routes.forEach((r, i) => {
      if (!NODE_ID_RE.test(r.name)) {
        ctx.problem(`routes[${i}].name`, `route name '${r.name}' is not a valid port name: use letters, digits, _ and - (starting with a letter or _)`);
        ok = false;
      } else if (RESERVED.includes(r.name)) {
        ctx.problem(`routes[${i}].name`, `route name '${r.name}' is reserved for the node's own output`);
        ok = false;
      } else if (seen.has(r.name)) {
        ctx.problem(`routes[${i}].name`, `route name '${r.name}' is used twice`);
        ok = false;
      }
      seen.add(r.name);
      const t = checkConfigExpression(ctx, `routes[${i}].when`, r.when, scope);
      if (!t) ok = false;
      else if (t.type.kind !== 'boolean') {
        ctx.problem(`routes[${i}].when`, `route '${r.name}' is not a condition: its type is ${formatType(t.type)}, not boolean`);
        ok = false;
      }
    });
    if (!ok) return {};
    const out: Record<string, typeof input> = { unmatched: input };
    for (const r of ctx.config.routes) out[r.name] = input;
    return out;
  },

  async run(ctx) {
    const input = ctx.input();
    const scope = scopeOf(input.schema, ctx.paramTypes);
    const routes = ctx.config.routes.map((r) => ({ name: r.name, cond: compileExpression(r.when, scope), port: ctx.output(r.name) }));
    const unmatched = ctx.output('unmatched');
    const ports: OutputPort[] = [...routes.map((r) => r.port), unmatched];
    const all = ctx.config.mode === 'all';
    const params = ctx.params;
    for await (const rows of input) {
      const buckets: Row[][] = routes.map(() => []);
      const rest: Row[] = [];
      let rejected: RejectedRow[] | undefined;
      const hits: number[] = [];
      for (const row of rows) {
        hits.length = 0;
        let k = 0;
        try {
          for (; k < routes.length; k++) {
            if (!isTrue(routes[k].cond.evaluate(row, params))) continue;
            hits.push(k);
            if (!all) break;
          }
        } catch (e) {
          // The row goes nowhere but to rejected, even when an earlier route matched.
          (rejected ??= []).push({ row, reasons: [{ rule: `route:${routes[k].name}`, message: `route '${routes[k].name}': ${messageOf(e)}` }] });
          continue;
        }
        if (hits.length === 0) rest.push(row);
        for (const h of hits) buckets[h].push(row);
      }
      if (rejected) await ctx.reject(rejected);
      for (let k = 0; k < routes.length; k++) if (buckets[k].length > 0) await routes[k].port.push(buckets[k]);
      if (rest.length > 0) await unmatched.push(rest);
      if (allDone(ports)) break;
    }
  },
});
