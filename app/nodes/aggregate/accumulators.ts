import { Decimal } from '../../model/decimal';
import { T, formatType, type LogicalType } from '../../model/types';
import { compareValues, normalizeInt, valueKey, type Value } from '../../model/values';

export const AGGREGATE_FNS = ['count', 'sum', 'avg', 'min', 'max', 'count_distinct'] as const;
export type AggregateFn = (typeof AGGREGATE_FNS)[number];

/** One aggregate's running state for one group. NULLs are ignored, as in SQL. */
export interface Accumulator {
  add(v: Value): void;
  result(): Value;
}

/** Scale of avg over integers and the least scale of avg over decimals. */
export const AVG_MIN_SCALE = 6;
/** sum(decimal(p,s)) is decimal(p + 18, s): no sum of fewer than 10^18 rows overflows it. */
const SUM_EXTRA_DIGITS = 18;
const MAX_PRECISION = 1000;
const SAFE_PART = 2 ** 52;

function toDecimal(v: Value): Decimal {
  if (v instanceof Decimal) return v;
  if (typeof v === 'bigint') return Decimal.fromBigInt(v);
  if (typeof v === 'number') {
    const d = Decimal.fromNumber(v);
    if (d) return d;
  }
  throw new Error(`not a number: ${String(v)}`);
}

/** Exact integer sum: plain numbers while they are exact, a bigint for the rest. */
class IntSum {
  small = 0;
  big = 0n;
  add(v: number | bigint): void {
    if (typeof v === 'number' && Math.abs(v) <= SAFE_PART && Math.abs(this.small) <= SAFE_PART) this.small += v;
    else this.big += BigInt(v);
  }
  total(): bigint {
    return this.big + BigInt(this.small);
  }
}

/**
 * The output type of an aggregate over an input of type `input` (undefined for count(*)),
 * or a message saying why it does not apply.
 */
export function resultType(fn: AggregateFn, input: LogicalType | undefined): LogicalType | string {
  if (fn === 'count' || fn === 'count_distinct') return T.bigint;
  if (!input) return `${fn} needs a column or an expr`;
  if (fn === 'min' || fn === 'max') return input;
  const k = input.kind;
  if (k === 'float') return T.float;
  if (k === 'int' || k === 'bigint') return fn === 'sum' ? T.bigint : T.decimal(38, AVG_MIN_SCALE);
  if (k === 'decimal') {
    if (input.precision === undefined) return T.decimal();
    const s = input.scale ?? 0;
    if (fn === 'sum') return T.decimal(Math.min(MAX_PRECISION, input.precision + SUM_EXTRA_DIGITS), s);
    const scale = Math.max(s, AVG_MIN_SCALE);
    return T.decimal(Math.min(MAX_PRECISION, input.precision - s + scale), scale);
  }
  return `${fn} needs a number, not ${formatType(input)}`;
}

export function accumulatorFactory(fn: AggregateFn, input: LogicalType | undefined, out: LogicalType): () => Accumulator {
  switch (fn) {
    case 'count':
      if (!input) {
        return () => {
          let n = 0;
          return { add: () => void n++, result: () => n };
        };
      }
      return () => {
        let n = 0;
        return { add: (v) => void (v !== null && n++), result: () => n };
      };
    case 'count_distinct':
      return () => {
        const seen = new Set<string>();
        return { add: (v) => void (v !== null && seen.add(valueKey(v))), result: () => seen.size };
      };
    case 'min':
    case 'max': {
      const sign = fn === 'min' ? 1 : -1;
      return () => {
        let best: Value = null;
        return {
          add: (v) => {
            if (v !== null && (best === null || sign * compareValues(v, best) < 0)) best = v;
          },
          result: () => best,
        };
      };
    }
    case 'sum':
    case 'avg':
      return numericFactory(fn, input!, out);
  }
}

function numericFactory(fn: 'sum' | 'avg', input: LogicalType, out: LogicalType): () => Accumulator {
  if (input.kind === 'float') {
    return () => {
      let s = 0;
      let n = 0;
      return {
        add: (v) => {
          if (v === null) return;
          s += v as number;
          n++;
        },
        result: () => (n === 0 ? null : fn === 'sum' ? s : s / n),
      };
    };
  }
  if (input.kind === 'int' || input.kind === 'bigint') {
    return () => {
      const s = new IntSum();
      let n = 0;
      return {
        add: (v) => {
          if (v === null) return;
          s.add(v as number | bigint);
          n++;
        },
        result: () => {
          if (n === 0) return null;
          if (fn === 'sum') return normalizeInt(s.total());
          return Decimal.fromBigInt(s.total()).div(Decimal.fromBigInt(BigInt(n)), out.scale ?? AVG_MIN_SCALE)!;
        },
      };
    };
  }
  // decimal: exact. An unconstrained decimal keeps the largest scale seen (avg: at least AVG_MIN_SCALE).
  return () => {
    let s: Decimal | undefined;
    let n = 0;
    let maxScale = 0;
    return {
      add: (v) => {
        if (v === null) return;
        const d = toDecimal(v);
        s = s ? s.add(d) : d;
        if (d.scale > maxScale) maxScale = d.scale;
        n++;
      },
      result: () => {
        if (!s) return null;
        if (fn === 'sum') return out.precision === undefined ? s : s.rescale(out.scale ?? 0);
        const scale = out.precision === undefined ? Math.max(maxScale, AVG_MIN_SCALE) : (out.scale ?? AVG_MIN_SCALE);
        return s.div(Decimal.fromBigInt(BigInt(n)), scale)!;
      },
    };
  };
}
