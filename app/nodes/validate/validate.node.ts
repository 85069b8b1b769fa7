import { z } from 'zod';
import { compileExpression, type CompiledExpr } from '../../expr';
import { didYouMean } from '../../model/problems';
import { formatType } from '../../model/types';
import type { Row } from '../../model/values';
import { findColumn } from '../common/columns';
import { checkConfigExpression, messageOf, scopeOf } from '../common/expressions';
import { defineNode, type PlanContext, type RejectReason, type RejectedRow } from '../types';
import { compileRowSchema, reasonOf, rowObject } from './json-schema-check';

const severity = z.enum(['error', 'warning']);

const config = z
  .object({
    schema: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'A JSON Schema for one row (checked with ajv, with formats such as email, date, uri). NULL columns count as absent: ' +
          '`required` means NOT NULL. Numbers that are bigint or decimal are compared as JSON numbers; bytes are base64 text.',
      )
      .meta({ examples: [{ type: 'object', required: ['id', 'email'], properties: { email: { type: 'string', format: 'email' } } }] }),
    schemaSeverity: severity
      .default('error')
      .describe('What a JSON Schema failure is: an error (the row is rejected) or a warning (the row goes on, the warning is recorded).'),
    rules: z
      .array(
        z
          .object({
            name: z.string().min(1).describe('A short unique name, shown as the rule of each failure.'),
            expr: z
              .string()
              .min(1)
              .describe('A SQL condition the row must satisfy. Like a SQL CHECK constraint, the rule fails only when it is FALSE: NULL passes.')
              .meta({ examples: ['quantity > 0', "status IN ('paid', 'shipped')", 'email IS NOT NULL'] }),
            message: z.string().min(1).optional().describe("The message recorded when the rule fails (default: the rule's name and condition)."),
            severity: severity.default('error').describe('error: the row is rejected; warning: the row goes on and the warning is recorded.'),
            column: z.string().min(1).optional().describe('The column the rule is about: failures record it and its value.'),
          })
          .strict(),
      )
      .default([])
      .describe('Checks written as SQL conditions, each with a message and a severity.'),
  })
  .strict();

type Config = z.infer<typeof config>;

function checkSchemaColumns(ctx: PlanContext<Config>, schema: Record<string, unknown>): void {
  const names = ctx.inputs.in[0].columns.map((c) => c.name);
  if (schema.type !== undefined && schema.type !== 'object') {
    ctx.problem('schema.type', `a row is an object; type ${JSON.stringify(schema.type)} fails every row`);
  }
  if (Array.isArray(schema.required)) {
    schema.required.forEach((r, i) => {
      if (typeof r === 'string' && !names.includes(r)) {
        const hint = didYouMean(r, names);
        ctx.problem(`schema.required[${i}]`, `required column '${r}' is not in the input, so every row would fail${hint ? ` (did you mean '${hint}'?)` : ''}`, {
          hint,
        });
      }
    });
  }
  const props = schema.properties;
  if (props && typeof props === 'object') {
    for (const p of Object.keys(props)) {
      if (names.includes(p)) continue;
      const hint = didYouMean(p, names);
      ctx.problem(`schema.properties.${p}`, `property '${p}' is not an input column: it is never checked${hint ? ` (did you mean '${hint}'?)` : ''}`, {
        severity: 'warning',
        hint,
      });
    }
  }
}

export const validateNode = defineNode<Config>({
  type: 'validate',
  title: 'Validate',
  category: 'quality',
  description:
    'Checks each row against a JSON Schema and against rules written as SQL conditions. A row with any error leaves by `rejected` with ' +
    'all its reasons; a row with only warnings goes on to `out` and its warnings are recorded. A rule fails only when its condition is ' +
    'FALSE (NULL passes, as in a SQL CHECK constraint); to forbid NULL, use the schema\'s `required` or a rule `x IS NOT NULL`.',
  config,
  example: {
    schema: { type: 'object', required: ['id', 'email'], properties: { email: { type: 'string', format: 'email' } } },
    rules: [{ name: 'positive_quantity', expr: 'quantity > 0', message: 'quantity must be positive', column: 'quantity' }],
  },
  ports: () => ({
    inputs: [{ name: 'in', kind: 'data' }],
    outputs: [
      { name: 'out', kind: 'data', description: 'Rows without errors (possibly with warnings).' },
      { name: 'rejected', kind: 'rejected', description: 'Rows with at least one error, with every reason.' },
    ],
  }),

  plan(ctx) {
    const input = ctx.inputs.in[0];
    const c = ctx.config;
    let ok = true;
    if (!c.schema && c.rules.length === 0) {
      ctx.problem('rules', 'nothing to check: give a schema or rules');
      ok = false;
    }
    if (c.schema) {
      try {
        compileRowSchema(c.schema);
        checkSchemaColumns(ctx, c.schema);
      } catch (e) {
        ctx.problem('schema', `the JSON Schema is invalid: ${messageOf(e)}`);
        ok = false;
      }
    }
    const scope = scopeOf(input, ctx.params);
    const names = new Set<string>();
    c.rules.forEach((r, i) => {
      if (names.has(r.name)) {
        ctx.problem(`rules[${i}].name`, `rule name '${r.name}' is used twice`);
        ok = false;
      }
      names.add(r.name);
      if (r.column !== undefined && findColumn(ctx, input, r.column, `rules[${i}].column`) < 0) ok = false;
      const t = checkConfigExpression(ctx, `rules[${i}].expr`, r.expr, scope);
      if (!t) ok = false;
      else if (t.type.kind !== 'boolean') {
        ctx.problem(`rules[${i}].expr`, `rule '${r.name}' is not a condition: its type is ${formatType(t.type)}, not boolean`);
        ok = false;
      }
    });
    return ok ? { out: input } : {};
  },

  async run(ctx) {
    const input = ctx.input();
    const out = ctx.output();
    const schema = input.schema;
    const c = ctx.config;
    const check = c.schema ? compileRowSchema(c.schema) : undefined;
    const scope = scopeOf(schema, ctx.paramTypes);
    const rules = c.rules.map((r) => ({
      ...r,
      compiled: compileExpression(r.expr, scope) as CompiledExpr,
      index: r.column === undefined ? -1 : schema.columns.findIndex((x) => x.name === r.column),
      text: r.message ?? `rule '${r.name}' failed: ${r.expr}`,
    }));
    const params = ctx.params;
    for await (const rows of input) {
      const kept: Row[] = [];
      let rejected: RejectedRow[] | undefined;
      let warned: RejectedRow[] | undefined;
      for (const row of rows) {
        let reasons: RejectReason[] | undefined;
        if (check && !check(rowObject(schema, row))) {
          reasons = (check.errors ?? []).map((e) => reasonOf(e, schema, row, c.schemaSeverity));
        }
        for (const r of rules) {
          let failed: boolean;
          let message = r.text;
          let sev = r.severity;
          try {
            // As a CHECK constraint: only FALSE fails; NULL (unknown) passes.
            failed = r.compiled.evaluate(row, params) === false;
          } catch (e) {
            failed = true;
            sev = 'error';
            message = `rule '${r.name}' could not be evaluated: ${messageOf(e)}`;
          }
          if (!failed) continue;
          const reason: RejectReason = { rule: r.name, message, severity: sev };
          if (r.index >= 0) {
            reason.column = r.column;
            reason.value = row[r.index];
          }
          (reasons ??= []).push(reason);
        }
        if (!reasons) kept.push(row);
        else if (reasons.some((x) => x.severity !== 'warning')) (rejected ??= []).push({ row, reasons });
        else {
          kept.push(row);
          (warned ??= []).push({ row, reasons });
        }
      }
      if (rejected) await ctx.reject(rejected);
      if (warned) await ctx.warn(warned);
      await out.push(kept);
      if (out.done) break;
    }
  },
});
