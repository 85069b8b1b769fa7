import { describe, expect, it } from 'vitest';
import { Decimal } from '../../model/decimal';
import { col, type Schema } from '../../model/schema';
import { T } from '../../model/types';
import type { Row } from '../../model/values';
import { runNode } from '../testing';
import { routeNode } from './route.node';

const schema: Schema = { columns: [col('country', T.text), col('total', T.decimal(10, 2)), col('n', T.bigint)] };
const d = (s: string) => Decimal.parse(s)!;
const big = 2n ** 60n;
const rows: Row[] = [
  ['FR', d('10.00'), 1],
  ['US', d('2000.00'), big],
  ['DE', d('5000.00'), 3],
  [null, null, 4],
  ['日本', d('1.00'), 5],
];
const input = { in: { schema, rows } };
const routes = [
  { name: 'eu', when: "country IN ('FR', 'DE')" },
  { name: 'big', when: 'total >= 1000' },
];

describe('route', () => {
  it('declares one output per route plus unmatched and rejected', () => {
    const ports = routeNode.ports(routeNode.config.parse({ routes }));
    expect(ports.outputs.map((p) => p.name)).toEqual(['eu', 'big', 'unmatched', 'rejected']);
  });

  it('sends each row to the first matching route (NULL does not match), the rest to unmatched', async () => {
    const r = await runNode(routeNode, { routes }, input, { batchSize: 2 });
    expect(r.problems).toEqual([]);
    expect(r.schemas.eu).toBe(schema);
    expect(r.schemas.unmatched).toBe(schema);
    expect(r.outputs.eu.map((x) => x[2])).toEqual([1, 3]);
    expect(r.outputs.big.map((x) => x[2])).toEqual([big]);
    expect(r.outputs.unmatched.map((x) => x[2])).toEqual([4, 5]);
    expect(r.outputs.eu[0]).toBe(rows[0]);
  });

  it('sends each row to every matching route with mode all', async () => {
    const r = await runNode(routeNode, { routes, mode: 'all' }, input);
    expect(r.outputs.eu.map((x) => x[2])).toEqual([1, 3]);
    expect(r.outputs.big.map((x) => x[2])).toEqual([big, 3]);
    expect(r.outputs.unmatched.map((x) => x[2])).toEqual([4, 5]);
  });

  it('rejects a row whose condition fails to evaluate, even after an earlier match', async () => {
    const r = await runNode(routeNode, { routes: [{ name: 'all_rows', when: 'true' }, { name: 'odd', when: 'CAST(country AS int) > 0' }], mode: 'all' }, input);
    expect(r.outputs.all_rows.map((x) => x[2])).toEqual([4]);
    expect(r.rejected.map((x) => x.row[2])).toEqual([1, big, 3, 5]);
    expect(r.rejected[0].reasons[0]).toMatchObject({ rule: 'route:odd', message: expect.stringMatching(/^route 'odd': /) });
  });

  it('handles an empty input and stops when every output is done', async () => {
    const r = await runNode(routeNode, { routes }, { in: { schema, rows: [] } });
    expect(r.outputs).toEqual({ eu: [], big: [], unmatched: [], rejected: [] });
    const done = await runNode(routeNode, { routes }, input, { batchSize: 1, doneAfter: { eu: 0, big: 0, unmatched: 0 } });
    expect(done.outputs.eu).toHaveLength(1);
  });

  it('reports invalid, reserved and repeated route names and non-boolean conditions', async () => {
    const r = await runNode(
      routeNode,
      {
        routes: [
          { name: 'a.b', when: 'true' },
          { name: 'unmatched', when: 'true' },
          { name: 'x', when: 'total + 1' },
          { name: 'x', when: 'totl > 1' },
        ],
      },
      input,
    );
    expect(r.problems.map((p) => [p.path, p.message])).toEqual([
      ['routes[0].name', "route name 'a.b' is not a valid port name: use letters, digits, _ and - (starting with a letter or _)"],
      ['routes[1].name', "route name 'unmatched' is reserved for the node's own output"],
      ['routes[2].when', expect.stringMatching(/^route 'x' is not a condition: its type is decimal\(\d+,2\), not boolean$/)],
      ['routes[3].name', "route name 'x' is used twice"],
      ['routes[3].when', expect.stringContaining('totl')],
    ]);
  });
});
