import type { FunctionDef } from './types';
import { comparatorFor } from './number';

export const NULL_FUNCTIONS: FunctionDef[] = [
  {
    name: 'coalesce',
    category: 'null',
    signature: 'coalesce(value, value, ...)',
    returns: 'the common type of the arguments',
    description: 'The first argument that is not NULL (later arguments are not evaluated once one is found); NULL when all are.',
    example: "coalesce(nickname, first_name, 'anonymous')",
    minArgs: 1,
    maxArgs: Infinity,
    check: (args, api) => {
      const u = api.unify(args, 'combine');
      return u && { type: u.type, args: u.nodes, nullable: u.nodes.every((n) => n.nullable !== false) };
    },
    compile: (g, args) => {
      let code = g.expr(args[args.length - 1]);
      for (let i = args.length - 2; i >= 0; i--) {
        const t = g.temp();
        code = `((${t} = ${g.expr(args[i])}) !== null ? ${t} : ${code})`;
      }
      return code;
    },
    sql: (s) => `COALESCE(${s.args.join(', ')})`,
  },
  {
    name: 'ifnull',
    aliases: ['nvl'],
    category: 'null',
    signature: 'ifnull(value, fallback)',
    returns: 'the common type of the arguments',
    description: 'The value, or the fallback when the value is NULL: coalesce with two arguments.',
    example: 'ifnull(discount, 0)',
    minArgs: 2,
    maxArgs: 2,
    rewrite: (call) => ({ ...call, name: 'coalesce' }),
    check: () => undefined,
    sql: () => '',
  },
  {
    name: 'nullif',
    category: 'null',
    signature: 'nullif(value, other)',
    returns: 'the type of value',
    description: "NULL when value = other, else value. Useful against empty strings and placeholder values: nullif(trim(code), '').",
    example: "nullif(status, 'n/a')",
    minArgs: 2,
    maxArgs: 2,
    check: (args, api) => {
      const u = api.unify(args, 'compare');
      if (!u) return undefined;
      if (u.type.kind === 'json') {
        api.error(args[0], 'nullif cannot compare json', 'cast it to text');
        return undefined;
      }
      return { type: u.type, args: u.nodes, nullable: true };
    },
    compile: (g, args, result) => {
      const eq = g.constant(comparatorFor(result));
      const a = g.temp();
      const b = g.temp();
      // Both arguments are evaluated, as the databases do.
      return `(${a} = ${g.expr(args[0])}, ${b} = ${g.expr(args[1])}, ${a} === null ? null : ${b} !== null && ${eq}(${a}, ${b}) === 0 ? null : ${a})`;
    },
    sql: (s) => {
      if (s.dialect === 'mysql' && s.nodes[0].type?.kind === 'text') return `(CASE WHEN BINARY ${s.args[0]} = BINARY ${s.args[1]} THEN NULL ELSE ${s.args[0]} END)`;
      return `NULLIF(${s.args[0]}, ${s.args[1]})`;
    },
  },
  {
    name: 'if',
    aliases: ['iif'],
    category: 'logic',
    signature: 'if(condition, then, else)',
    returns: 'the common type of then and else',
    description: 'then when the condition is TRUE, else when it is FALSE or NULL: CASE WHEN condition THEN then ELSE else END.',
    example: "if(quantity > 0, 'in stock', 'sold out')",
    minArgs: 3,
    maxArgs: 3,
    rewrite: (call) => ({ kind: 'case', whens: [{ when: call.args[0], then: call.args[1] }], else: call.args[2], start: call.start, end: call.end }),
    check: () => undefined,
    sql: () => '',
  },
];
