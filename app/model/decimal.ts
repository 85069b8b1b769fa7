/**
 * An exact decimal: an unscaled bigint and a scale (value = unscaled / 10^scale).
 * Values of logical type `decimal` travel as this class so that decimal(38,10) or a money
 * column comes out of a pipeline exactly as it went in; floats never touch them.
 */
const TEN = 10n;

// Powers of ten up to 10^64 made once: BigInt exponentiation per call showed up as a tenth
// of a decimal-heavy pipeline's time.
const POW10: bigint[] = Array.from({ length: 65 }, (_, i) => TEN ** BigInt(i));

function pow10(n: number): bigint {
  return n >= 0 && n < POW10.length ? POW10[n] : TEN ** BigInt(n);
}

/** Divides and rounds half away from zero (SQL's ROUND for exact numerics). */
function divRound(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  const ad = d < 0n ? -d : d;
  if (twice >= ad) return (n < 0n) !== (d < 0n) ? q - 1n : q + 1n;
  return q;
}

const DECIMAL_RE = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

export class Decimal {
  /** The plain text, when the creator had it already (see ofPlain): toString's answer. An ES
   *  private field, so it takes no part in structural equality (toEqual, structuredClone). */
  #text: string | undefined;

  private constructor(
    readonly unscaled: bigint,
    readonly scale: number,
  ) {}

  /**
   * A decimal whose plain text (exactly what toString would give) the caller has in hand,
   * e.g. a reader that parsed it: toString then costs nothing. Bulk copies write most
   * decimals out again as text, and BigInt -> string is the expensive part of that.
   */
  static ofPlain(unscaled: bigint, scale: number, text: string): Decimal {
    const d = new Decimal(unscaled, scale);
    d.#text = text;
    return d;
  }

  static of(unscaled: bigint, scale = 0): Decimal {
    if (scale < 0) return new Decimal(unscaled * pow10(-scale), 0);
    return new Decimal(unscaled, scale);
  }

  /** Parses plain or exponent notation; undefined when the text is not a number. */
  static parse(text: string): Decimal | undefined {
    const m = DECIMAL_RE.exec(text);
    if (!m) return undefined;
    const [, sign, int = '', frac = '', exp] = m;
    if (int === '' && frac === '') return undefined;
    let unscaled = BigInt((int || '0') + frac);
    if (sign === '-') unscaled = -unscaled;
    let scale = frac.length - (exp ? Number(exp) : 0);
    if (!Number.isFinite(scale) || Math.abs(scale) > 10_000) return undefined;
    if (scale < 0) {
      unscaled *= pow10(-scale);
      scale = 0;
    }
    return new Decimal(unscaled, scale);
  }

  static fromNumber(n: number): Decimal | undefined {
    if (!Number.isFinite(n)) return undefined;
    return Decimal.parse(String(n));
  }

  static fromBigInt(n: bigint): Decimal {
    return new Decimal(n, 0);
  }

  static isDecimal(v: unknown): v is Decimal {
    return v instanceof Decimal;
  }

  /** Plain notation keeping the scale: 1.50 stays "1.50". */
  toString(): string {
    if (this.#text !== undefined) return this.#text;
    if (this.scale === 0) return this.unscaled.toString();
    const neg = this.unscaled < 0n;
    const digits = (neg ? -this.unscaled : this.unscaled).toString().padStart(this.scale + 1, '0');
    const cut = digits.length - this.scale;
    return `${neg ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
  }

  toJSON(): string {
    return this.toString();
  }

  toNumber(): number {
    return Number(this.toString());
  }

  /** The same value with trailing fractional zeros removed: a key for grouping and equality. */
  normalize(): Decimal {
    let u = this.unscaled;
    let s = this.scale;
    while (s > 0 && u % TEN === 0n) {
      u /= TEN;
      s--;
    }
    return s === this.scale ? this : new Decimal(u, s);
  }

  /** Number of significant integer digits and the scale, for precision checks. */
  digits(): { integer: number; scale: number } {
    const n = this.normalize();
    const abs = n.unscaled < 0n ? -n.unscaled : n.unscaled;
    const total = abs === 0n ? 1 : abs.toString().length;
    return { integer: Math.max(total - n.scale, 0), scale: n.scale };
  }

  /** True when this value fits decimal(precision, scale) without losing digits. */
  fits(precision: number, scale: number): boolean {
    if (this.scale <= scale) {
      // The common case (a value already at or below the scale): trailing zeros do not
      // change the integer digits, so no normalising division loop is needed.
      const abs = this.unscaled < 0n ? -this.unscaled : this.unscaled;
      const integer = abs === 0n ? 1 : Math.max(abs.toString().length - this.scale, 0);
      return integer <= precision - scale;
    }
    const d = this.digits();
    return d.scale <= scale && d.integer <= precision - scale;
  }

  private align(o: Decimal): [bigint, bigint, number] {
    if (this.scale === o.scale) return [this.unscaled, o.unscaled, this.scale];
    if (this.scale > o.scale) return [this.unscaled, o.unscaled * pow10(this.scale - o.scale), this.scale];
    return [this.unscaled * pow10(o.scale - this.scale), o.unscaled, o.scale];
  }

  add(o: Decimal): Decimal {
    const [a, b, s] = this.align(o);
    return new Decimal(a + b, s);
  }

  sub(o: Decimal): Decimal {
    const [a, b, s] = this.align(o);
    return new Decimal(a - b, s);
  }

  mul(o: Decimal): Decimal {
    return new Decimal(this.unscaled * o.unscaled, this.scale + o.scale);
  }

  /** Division rounded half away from zero at `scale` digits; undefined when dividing by zero. */
  div(o: Decimal, scale: number): Decimal | undefined {
    if (o.unscaled === 0n) return undefined;
    // (a / 10^sa) / (b / 10^sb) = (a * 10^(sb + scale - sa) / b) / 10^scale
    const shift = o.scale + scale - this.scale;
    const n = shift >= 0 ? this.unscaled * pow10(shift) : this.unscaled;
    const d = shift >= 0 ? o.unscaled : o.unscaled * pow10(-shift);
    return new Decimal(divRound(n, d), scale);
  }

  /** Remainder with the sign of the dividend (SQL's MOD); undefined when dividing by zero. */
  mod(o: Decimal): Decimal | undefined {
    if (o.unscaled === 0n) return undefined;
    const [a, b, s] = this.align(o);
    return new Decimal(a % b, s);
  }

  neg(): Decimal {
    return new Decimal(-this.unscaled, this.scale);
  }

  abs(): Decimal {
    return this.unscaled < 0n ? this.neg() : this;
  }

  sign(): -1 | 0 | 1 {
    return this.unscaled < 0n ? -1 : this.unscaled > 0n ? 1 : 0;
  }

  cmp(o: Decimal): -1 | 0 | 1 {
    const [a, b] = this.align(o);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(o: Decimal): boolean {
    return this.cmp(o) === 0;
  }

  /** Rounds half away from zero to `scale` digits (negative scale rounds to tens, hundreds...). */
  round(scale = 0): Decimal {
    if (scale >= this.scale) return this.rescale(Math.max(scale, 0));
    const r = divRound(this.unscaled, pow10(this.scale - scale));
    return scale >= 0 ? new Decimal(r, scale) : new Decimal(r * pow10(-scale), 0);
  }

  /** Truncates toward zero to `scale` digits. */
  trunc(scale = 0): Decimal {
    if (scale >= this.scale) return this.rescale(Math.max(scale, 0));
    const q = this.unscaled / pow10(this.scale - scale);
    return scale >= 0 ? new Decimal(q, scale) : new Decimal(q * pow10(-scale), 0);
  }

  floor(): Decimal {
    const t = this.trunc(0);
    return this.sign() < 0 && !t.equals(this) ? t.sub(Decimal.of(1n)) : t;
  }

  ceil(): Decimal {
    const t = this.trunc(0);
    return this.sign() > 0 && !t.equals(this) ? t.add(Decimal.of(1n)) : t;
  }

  /** The same value at exactly `scale` digits, rounding half away from zero when shortening. */
  rescale(scale: number): Decimal {
    if (scale === this.scale) return this;
    if (scale > this.scale) return new Decimal(this.unscaled * pow10(scale - this.scale), scale);
    return this.round(scale);
  }

  /** The integer part as a bigint (truncated toward zero). */
  toBigInt(): bigint {
    return this.scale === 0 ? this.unscaled : this.unscaled / pow10(this.scale);
  }
}
