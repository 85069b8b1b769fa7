import { compileExpression, type CompiledExpr } from '../../expr';
import { Decimal } from '../../model/decimal';
import type { Schema } from '../../model/schema';
import type { LogicalType } from '../../model/types';
import { compareValues, normalizeInt, rowKey, valueKey, type Row, type Value } from '../../model/values';
import { AVG_MIN_SCALE, type AggregateFn } from '../../nodes/aggregate/accumulators';
import { scopeOf } from '../../nodes/common/expressions';
import { decodeRows, RowEncoder } from '../../nodes/sort/row-codec';

/**
 * Aggregates split over chunks: each chunk keeps a partial state per group, the states of
 * all chunks are merged, and the merged state gives the same result the aggregate node
 * gives over the whole input (app/nodes/aggregate/accumulators.ts): count and
 * count_distinct add up (distinct values as a set of their keys, unioned), min and max
 * take the least and greatest, sum adds exactly (integers as bigints, decimals exact),
 * avg is carried as sum and count and divided only at the end, with the node's scale and
 * rounding. Groups come out in the order they were first seen: chunks are merged in input
 * order, so that is the single-threaded order too.
 *
 * One difference: sums of floats are added chunk by chunk, so their last bits may differ
 * from the single-threaded sum (floating-point addition is not associative).
 */

export interface AggregateSpec {
  groupBy: string[];
  aggregates: Array<{ name: string; fn: AggregateFn; column?: string; expr?: string }>;
}

type Kind = 'count' | 'distinct' | 'best' | 'float' | 'int' | 'decimal';

interface Slot {
  fn: AggregateFn;
  kind: Kind;
  input: { column: number } | { expr: CompiledExpr } | { star: true };
  /** The result column's type (for sum/avg scales). */
  out: LogicalType;
}

interface GroupState {
  key: Row;
  s: StateValue[];
}

/** Per aggregate: count; set; best value; [sum, n] (float/int); [sum, n, maxScale] (decimal). */
type StateValue = number | Set<string> | { v: Value } | { sum: number; n: number } | { sum: bigint; n: number } | { sum: Decimal | undefined; n: number; maxScale: number };

function kindOf(fn: AggregateFn, input: LogicalType | undefined): Kind {
  if (fn === 'count') return 'count';
  if (fn === 'count_distinct') return 'distinct';
  if (fn === 'min' || fn === 'max') return 'best';
  const k = input!.kind;
  return k === 'float' ? 'float' : k === 'int' || k === 'bigint' ? 'int' : 'decimal';
}

function emptyState(kind: Kind): StateValue {
  switch (kind) {
    case 'count':
      return 0;
    case 'distinct':
      return new Set<string>();
    case 'best':
      return { v: null };
    case 'float':
      return { sum: 0, n: 0 };
    case 'int':
      return { sum: 0n, n: 0 };
    case 'decimal':
      return { sum: undefined, n: 0, maxScale: 0 };
  }
}

function toDecimal(v: Value): Decimal {
  if (v instanceof Decimal) return v;
  if (typeof v === 'bigint') return Decimal.fromBigInt(v);
  const d = typeof v === 'number' ? Decimal.fromNumber(v) : undefined;
  if (!d) throw new Error(`not a number: ${String(v)}`);
  return d;
}

/** Partial aggregation of one chunk: what the aggregate node does per row, kept mergeable. */
export class PartialAggregate {
  private readonly slots: Slot[];
  private readonly group: number[];
  readonly groups = new Map<string, GroupState>();

  constructor(
    readonly spec: AggregateSpec,
    input: Schema,
    output: Schema,
    paramTypes: Record<string, LogicalType>,
  ) {
    const scope = scopeOf(input, paramTypes);
    const index = (name: string) => {
      const i = input.columns.findIndex((c) => c.name === name);
      if (i < 0) throw new Error(`aggregate: no column '${name}'`);
      return i;
    };
    this.group = spec.groupBy.map(index);
    this.slots = spec.aggregates.map((a, i) => {
      const out = output.columns[spec.groupBy.length + i].type;
      if (a.column !== undefined) {
        const c = index(a.column);
        return { fn: a.fn, kind: kindOf(a.fn, input.columns[c].type), input: { column: c }, out };
      }
      if (a.expr !== undefined) {
        const e = compileExpression(a.expr, scope);
        return { fn: a.fn, kind: kindOf(a.fn, e.type), input: { expr: e }, out };
      }
      return { fn: a.fn, kind: 'count' as const, input: { star: true as const }, out };
    });
  }

  /** Values of each aggregate's input for one row (throws as the node's expression would). */
  inputs(row: Row, params: Record<string, Value>): Value[] {
    return this.slots.map((s) => ('column' in s.input ? row[s.input.column] : 'expr' in s.input ? s.input.expr.evaluate(row, params) : null));
  }

  add(row: Row, values: Value[]): void {
    const key = this.group.length === 0 ? '' : rowKey(row, this.group);
    let g = this.groups.get(key);
    if (!g) {
      g = { key: this.group.map((i) => row[i]), s: this.slots.map((s) => emptyState(s.kind)) };
      this.groups.set(key, g);
    }
    for (let j = 0; j < this.slots.length; j++) {
      const slot = this.slots[j];
      const v = values[j];
      if ('star' in slot.input) {
        g.s[j] = (g.s[j] as number) + 1;
        continue;
      }
      if (v === null) continue;
      switch (slot.kind) {
        case 'count':
          g.s[j] = (g.s[j] as number) + 1;
          break;
        case 'distinct':
          (g.s[j] as Set<string>).add(valueKey(v));
          break;
        case 'best': {
          const b = g.s[j] as { v: Value };
          const sign = slot.fn === 'min' ? 1 : -1;
          if (b.v === null || sign * compareValues(v, b.v) < 0) b.v = v;
          break;
        }
        case 'float': {
          const f = g.s[j] as { sum: number; n: number };
          f.sum += v as number;
          f.n++;
          break;
        }
        case 'int': {
          const f = g.s[j] as { sum: bigint; n: number };
          f.sum += BigInt(v as number | bigint);
          f.n++;
          break;
        }
        case 'decimal': {
          const f = g.s[j] as { sum: Decimal | undefined; n: number; maxScale: number };
          const d = toDecimal(v);
          f.sum = f.sum ? f.sum.add(d) : d;
          if (d.scale > f.maxScale) f.maxScale = d.scale;
          f.n++;
          break;
        }
      }
    }
  }

  /** Adds another chunk's states (groups it saw first come after the ones seen already). */
  merge(other: Iterable<GroupState>): void {
    for (const o of other) {
      const key = this.group.length === 0 ? '' : rowKey(o.key, this.group.map((_, i) => i));
      const g = this.groups.get(key);
      if (!g) {
        this.groups.set(key, o);
        continue;
      }
      for (let j = 0; j < this.slots.length; j++) g.s[j] = mergeState(this.slots[j], g.s[j], o.s[j]);
    }
  }

  /** Final rows: group values, then each aggregate's result, as the aggregate node emits them. */
  results(): Row[] {
    if (this.group.length === 0 && this.groups.size === 0) this.groups.set('', { key: [], s: this.slots.map((s) => emptyState(s.kind)) });
    return [...this.groups.values()].map((g) => [...g.key, ...g.s.map((st, j) => result(this.slots[j], st))]);
  }

  /** The states as bytes (the spill row codec: exact values), to cross from a worker. */
  encode(): Buffer {
    const enc = new RowEncoder();
    for (const g of this.groups.values()) {
      const row: Row = [...g.key];
      g.s.forEach((st, j) => row.push(...encodeState(this.slots[j].kind, st)));
      enc.write(row);
    }
    return Buffer.from(enc.take());
  }

  decode(buf: Buffer): GroupState[] {
    const rows: Row[] = [];
    decodeRows(buf, rows);
    const width = this.group.length;
    return rows.map((r) => {
      let p = width;
      const s = this.slots.map((slot) => {
        const [st, used] = decodeState(slot.kind, r, p);
        p += used;
        return st;
      });
      return { key: r.slice(0, width), s };
    });
  }
}

function mergeState(slot: Slot, a: StateValue, b: StateValue): StateValue {
  switch (slot.kind) {
    case 'count':
      return (a as number) + (b as number);
    case 'distinct':
      for (const k of b as Set<string>) (a as Set<string>).add(k);
      return a;
    case 'best': {
      const x = (a as { v: Value }).v;
      const y = (b as { v: Value }).v;
      if (y === null) return a;
      if (x === null) return b;
      const sign = slot.fn === 'min' ? 1 : -1;
      return sign * compareValues(y, x) < 0 ? b : a;
    }
    case 'float': {
      const x = a as { sum: number; n: number };
      const y = b as { sum: number; n: number };
      return { sum: x.sum + y.sum, n: x.n + y.n };
    }
    case 'int': {
      const x = a as { sum: bigint; n: number };
      const y = b as { sum: bigint; n: number };
      return { sum: x.sum + y.sum, n: x.n + y.n };
    }
    case 'decimal': {
      const x = a as { sum: Decimal | undefined; n: number; maxScale: number };
      const y = b as { sum: Decimal | undefined; n: number; maxScale: number };
      const sum = x.sum && y.sum ? x.sum.add(y.sum) : (x.sum ?? y.sum);
      return { sum, n: x.n + y.n, maxScale: Math.max(x.maxScale, y.maxScale) };
    }
  }
}

function result(slot: Slot, st: StateValue): Value {
  switch (slot.kind) {
    case 'count':
      return st as number;
    case 'distinct':
      return (st as Set<string>).size;
    case 'best':
      return (st as { v: Value }).v;
    case 'float': {
      const f = st as { sum: number; n: number };
      return f.n === 0 ? null : slot.fn === 'sum' ? f.sum : f.sum / f.n;
    }
    case 'int': {
      const f = st as { sum: bigint; n: number };
      if (f.n === 0) return null;
      if (slot.fn === 'sum') return normalizeInt(f.sum);
      return Decimal.fromBigInt(f.sum).div(Decimal.fromBigInt(BigInt(f.n)), slot.out.scale ?? AVG_MIN_SCALE)!;
    }
    case 'decimal': {
      const f = st as { sum: Decimal | undefined; n: number; maxScale: number };
      if (!f.sum) return null;
      if (slot.fn === 'sum') return slot.out.precision === undefined ? f.sum : f.sum.rescale(slot.out.scale ?? 0);
      const scale = slot.out.precision === undefined ? Math.max(f.maxScale, AVG_MIN_SCALE) : (slot.out.scale ?? AVG_MIN_SCALE);
      return f.sum.div(Decimal.fromBigInt(BigInt(f.n)), scale)!;
    }
  }
}

function encodeState(kind: Kind, st: StateValue): Value[] {
  switch (kind) {
    case 'count':
      return [st as number];
    case 'distinct':
      return [JSON.stringify([...(st as Set<string>)])];
    case 'best':
      return [(st as { v: Value }).v];
    case 'float':
    case 'int': {
      const f = st as { sum: number | bigint; n: number };
      return [typeof f.sum === 'bigint' ? f.sum : f.sum, f.n];
    }
    case 'decimal': {
      const f = st as { sum: Decimal | undefined; n: number; maxScale: number };
      return [f.sum ?? null, f.n, f.maxScale];
    }
  }
}

function decodeState(kind: Kind, r: Row, p: number): [StateValue, number] {
  switch (kind) {
    case 'count':
      return [r[p] as number, 1];
    case 'distinct':
      return [new Set(JSON.parse(r[p] as string) as string[]), 1];
    case 'best':
      return [{ v: r[p] }, 1];
    case 'float':
      return [{ sum: r[p] as number, n: r[p + 1] as number }, 2];
    case 'int': {
      const v = r[p];
      return [{ sum: typeof v === 'bigint' ? v : BigInt(v as number), n: r[p + 1] as number }, 2];
    }
    case 'decimal':
      return [{ sum: (r[p] as Decimal | null) ?? undefined, n: r[p + 1] as number, maxScale: r[p + 2] as number }, 3];
  }
}
