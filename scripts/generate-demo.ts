/**
 * Writes the demo workspace Sluice opens on first start: a small shop database with a
 * realistic share of dirty rows, the same kind of data as a CSV export and an NDJSON CRM
 * dump, and a README that says exactly where the dirt is.
 *
 *   npx tsx scripts/generate-demo.ts [outDir]      (default resources/demo/)
 *
 * Deterministic: every random choice comes from seeded generators (one per file, so
 * changing one file's recipe does not reshuffle the others) and no clock is read, so the
 * CSV, NDJSON and README are the same bytes every time and the database the same rows.
 * Dirty rows are planned, not left to chance: each kind gets an exact number of rows, and
 * the counts the README advertises are recounted from the generated rows (and checked
 * against the plan) before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';

// --- seeded randomness ---------------------------------------------------------------

/** sfc32: small, fast, and good enough for test data; seeded by a string. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    // cyrb128-style hash of the seed into four 32-bit words.
    let h1 = 1779033703,
      h2 = 3144134277,
      h3 = 1013904242,
      h4 = 2773480762;
    for (let i = 0; i < seed.length; i++) {
      const k = seed.charCodeAt(i);
      h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
      h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
      h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
      h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
    }
    this.a = h1 >>> 0;
    this.b = h2 >>> 0;
    this.c = h3 >>> 0;
    this.d = h4 >>> 0;
    for (let i = 0; i < 16; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  weighted<T>(choices: ReadonlyArray<readonly [T, number]>): T {
    const total = choices.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of choices) if ((r -= w) < 0) return v;
    return choices[choices.length - 1][0];
  }

  /** Fisher-Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

// --- dates and money -----------------------------------------------------------------

const DAY = 86_400_000;
const dayOf = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY;
/** 'YYYY-MM-DD' for a day number (days since 1970, negative before). */
const dateString = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);
/** 'YYYY-MM-DD HH:MM:SS', the DB's naive UTC timestamp. */
const timestampString = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
/** 'YYYY-MM-DDTHH:MM:SSZ', how the exports write the same instant. */
const isoString = (ms: number): string => new Date(ms).toISOString().slice(0, 19) + 'Z';
/** Money is generated in integer cents so totals stay exact; formatted with two decimals. */
const money = (cents: number): string => `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

const SIGNUP_FROM = dayOf('2019-01-01');
const DATA_UNTIL = dayOf('2025-06-30');
const ORDERS_FROM = dayOf('2023-01-01');

// --- vocabularies --------------------------------------------------------------------

const FIRST = ['Anna', 'Ben', 'Clara', 'David', 'Emma', 'Felix', 'Grace', 'Henry', 'Isla', 'Jack', 'Kate', 'Liam', 'Mia', 'Noah', 'Olivia', 'Paul', 'Quinn', 'Rosa', 'Sam', 'Tara', 'Uma', 'Victor', 'Wendy', 'Xavier', 'Yara', 'Zoe', 'Adam', 'Bella', 'Carl', 'Diana', 'Erik', 'Fiona', 'George', 'Hannah', 'Ivan', 'Julia', 'Karl', 'Laura', 'Max', 'Nina', 'Oscar', 'Petra', 'Ruth', 'Simon', 'Tom', 'Vera', 'Walter', 'Lena', 'Marco', 'Sofia'];
const LAST = ['Smith', 'Johnson', 'Brown', 'Taylor', 'Miller', 'Wilson', 'Moore', 'Anderson', 'Thomas', 'Jackson', 'White', 'Harris', 'Martin', 'Thompson', 'Garcia', 'Martinez', 'Robinson', 'Clark', 'Lewis', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson', 'Hill', 'Schmidt', 'Fischer', 'Weber', 'Wagner', 'Becker', 'Hoffmann', 'Rossi', 'Russo', 'Bianchi', 'Dubois', 'Moreau', 'Laurent', 'Jansen', 'de Vries', 'Nowak', 'Novak', 'Larsen', 'Berg', 'Silva', 'Santos'];
const ACCENTED_FIRST = ['José', 'François', 'Zoë', 'Björn', 'Søren', 'Łukasz', 'Chloé', 'Inés', 'Jürgen', 'Małgorzata', 'Ştefan', 'Renée', 'Agnès', 'Håkon', 'Dagmar Ólöf', 'Çağla', 'Mikuláš', 'Aurélie'];
const ACCENTED_LAST = ['Müller', 'Gonçalves', 'Ångström', 'Dvořák', 'Nguyễn', 'Çelik', 'Lefèvre', 'Núñez', 'Jørgensen', 'Öztürk', 'Wójcik', 'Šimůnek', 'Peña', 'Brontë', 'Fernández'];
/** CJK names with the romanised handle their e-mail address uses. */
const CJK: ReadonlyArray<readonly [string, string]> = [
  ['王芳', 'wang.fang'],
  ['李娜', 'li.na'],
  ['张伟', 'zhang.wei'],
  ['刘洋', 'liu.yang'],
  ['陈静', 'chen.jing'],
  ['佐藤花子', 'sato.hanako'],
  ['鈴木一郎', 'suzuki.ichiro'],
  ['高橋優', 'takahashi.yu'],
  ['김민준', 'kim.minjun'],
  ['이서연', 'lee.seoyeon'],
  ['山田太郎', 'yamada.taro'],
  ['黄丽', 'huang.li'],
];
const EMOJI: ReadonlyArray<readonly [string, string]> = [
  ['Sam 🚀 Porter', 'sam.porter'],
  ['Lena 🌻', 'lena.sunflower'],
  ['🎸 Max Power', 'max.power'],
  ['Kim 🐱 Lee', 'kim.lee'],
  ['Jo 🌈 Bloggs', 'jo.bloggs'],
];
const DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'shop.example.org', 'post.example.net'];
const COUNTRIES: ReadonlyArray<readonly [string, number, string, readonly string[]]> = [
  ['DE', 18, '+49', ['Berlin', 'Hamburg', 'München', 'Köln', 'Leipzig']],
  ['FR', 12, '+33', ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes']],
  ['GB', 12, '+44', ['London', 'Manchester', 'Leeds', 'Bristol', 'Edinburgh']],
  ['US', 16, '+1', ['New York', 'Chicago', 'Austin', 'Seattle', 'Boston']],
  ['ES', 7, '+34', ['Madrid', 'Barcelona', 'Sevilla', 'Valencia']],
  ['IT', 7, '+39', ['Roma', 'Milano', 'Torino', 'Napoli']],
  ['NL', 6, '+31', ['Amsterdam', 'Rotterdam', 'Utrecht']],
  ['SE', 4, '+46', ['Stockholm', 'Göteborg', 'Malmö']],
  ['PL', 5, '+48', ['Warszawa', 'Kraków', 'Gdańsk', 'Łódź']],
  ['JP', 4, '+81', ['Tokyo', 'Osaka', 'Kyoto']],
  ['CN', 3, '+86', ['Shanghai', 'Beijing', 'Shenzhen']],
  ['BR', 3, '+55', ['São Paulo', 'Rio de Janeiro']],
  ['CA', 3, '+1', ['Toronto', 'Montréal', 'Vancouver']],
];
const COUNTRY_WEIGHTS = COUNTRIES.map(([code, w]) => [code, w] as const);
const countryInfo = (code: string) => COUNTRIES.find(([c]) => c === code)!;

const CATEGORIES: ReadonlyArray<readonly [string, string, number, number, readonly string[]]> = [
  // name, SKU prefix, min and max price in cents, product nouns (some with commas and quotes on purpose)
  ['Electronics', 'EL', 799, 89_999, ['USB-C Cable, 2 m', 'Wireless Mouse', '27" Monitor', 'Headphones', 'Charger, 65 W', 'Webcam', 'Keyboard', 'Power Bank', 'Smart Plug', 'HDMI Adapter']],
  ['Books', 'BK', 499, 5_999, ['Cookbook', 'Travel Guide', 'Novel', 'Atlas', 'Notebook "Dotted"', 'Poetry Collection', 'Field Guide', 'Comic']],
  ['Kitchen', 'KI', 299, 24_999, ['Chef Knife', 'Cutting Board', 'Espresso Cups, Set of 4', 'Kettle', 'Frying Pan', 'Spice Rack', 'Tea Towel', 'Mixing Bowl']],
  ['Garden', 'GA', 199, 39_999, ['Watering Can', 'Seed Mix', 'Pruning Shears', 'Hose, 25 m', 'Planter', 'Bird Feeder', 'Garden Gloves']],
  ['Toys', 'TO', 399, 14_999, ['Puzzle, 1000 pieces', 'Building Blocks', 'Plush Bear', 'Kite', 'Board Game', 'Yo-yo']],
  ['Sports', 'SP', 599, 49_999, ['Yoga Mat', 'Water Bottle', 'Running Socks', 'Dumbbell, 5 kg', 'Jump Rope', 'Tennis Balls']],
  ['Office', 'OF', 149, 19_999, ['Stapler', 'Desk Lamp', 'Fountain Pen', 'Paper, A4, 500 sheets', 'Sticky Notes', 'Monitor Stand']],
];
const ADJECTIVES = ['Classic', 'Deluxe', 'Compact', 'Eco', 'Pro', 'Mini', 'Premium', 'Basic', 'Travel', 'Vintage'];
const COLOURS = ['black', 'white', 'red', 'blue', 'green', 'grey', 'oak', 'steel'];
const NOTES = [
  'Leave at the door, ring twice',
  'Gift wrap please\nNo invoice in the box',
  'Customer said "urgent"',
  'Deliver after 5 pm',
  'Call before delivery',
  'Second attempt, first parcel lost',
  'Bitte beim Nachbarn abgeben',
  'Fragile: glass',
  'Address line 2:\nBuilding C, 3rd floor',
  'Replacement for order "A-17", damaged',
  '請放在門口',
];
const TAGS = ['vip', 'newsletter', 'b2b', 'churn-risk', 'wholesale', 'loyalty'];

// --- the plan: how many dirty rows of each kind --------------------------------------

export const PLAN = {
  customers: 2000,
  duplicateCustomers: 40,
  emailMissingAt: 24,
  emailInnerSpace: 18,
  emailUpperCase: 30,
  emailEmpty: 12,
  emailNull: 6,
  nameBlank: 10,
  countryEmpty: 14,
  signupDateInvalid: 6,
  birthBefore1970: 45,
  nameAccented: 60,
  nameCjk: 25,
  nameEmoji: 8,
  products: 300,
  productCategoryEmpty: 5,
  productPriceZero: 3,
  productsInactive: 20,
  orders: 20_000,
  quantityZero: 40,
  quantityNegative: 60,
  missingCustomer: 50,
  missingProduct: 35,
  statusEmpty: 15,
  csvFirstOrder: 15_001,
  csvNewOrders: 250,
  csvPendingToPaid: 200,
  csvPaidToRefunded: 100,
  ndjsonExisting: 900,
  ndjsonNew: 300,
  ndjsonEmailCaseDiffers: 50,
  ndjsonCityChanged: 100,
  ndjsonEmailKeyMissing: 10,
  ndjsonEmailNull: 8,
  ndjsonEmailInvalid: 12,
  ndjsonLifetimeValueAsString: 7,
} as const;

const SIGNUP_INVALID = ['2023-02-30', '2022-13-01', '31/12/2022', '2021-6-7', '2024-04-31', '20230115'];

// --- rows ----------------------------------------------------------------------------

export interface Customer {
  id: number;
  name: string;
  email: string | null;
  country: string;
  city: string;
  phone: string | null;
  birth_date: string | null;
  signup_date: string;
  marketing_opt_in: 0 | 1;
}

export interface Product {
  id: number;
  sku: string;
  name: string;
  category: string;
  unit_price: number;
  stock: number;
  active: 0 | 1;
  created_at: string;
}

export interface Order {
  id: number;
  customer_id: number;
  product_id: number;
  quantity: number;
  unit_price: number;
  status: string;
  ordered_at: string;
  shipped_at: string | null;
  channel: string;
  note: string | null;
}

/** What a generated customer is, so later files can pick suitable ones. */
type CustomerKind = 'clean' | 'duplicated' | 'duplicate' | 'dirty' | 'unicode';

const stripAccents = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/ø/g, 'o')
    .replace(/ß/g, 'ss')
    .replace(/ı/g, 'i');
const handleOf = (name: string): string =>
  stripAccents(name)
    .toLowerCase()
    .replace(/[^a-z ]/g, '')
    .trim()
    .replace(/\s+/g, '.');

/** Hands out unique e-mail addresses (compared lower-case, as a mail server would). */
class EmailBook {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Rng) {}

  take(handle: string): string {
    for (let n = 0; ; n++) {
      const suffix = n === 0 ? (this.rng.chance(0.3) ? String(this.rng.int(1, 99)) : '') : String(this.rng.int(100, 9999));
      const email = `${handle}${suffix}@${this.rng.pick(DOMAINS)}`;
      if (!this.used.has(email)) {
        this.used.add(email);
        return email;
      }
    }
  }

  has(email: string): boolean {
    return this.used.has(email.trim().toLowerCase());
  }
}

function phoneFor(rng: Rng, country: string): string | null {
  if (rng.chance(0.1)) return null;
  return `${countryInfo(country)[2]} ${rng.int(20, 99)} ${rng.int(1_000_000, 9_999_999)}`;
}

function person(rng: Rng, book: EmailBook, id: number, name: string, handle: string): Customer {
  const country = rng.weighted(COUNTRY_WEIGHTS);
  const birthNull = rng.chance(0.04);
  return {
    id,
    name,
    email: book.take(handle),
    country,
    city: rng.pick(countryInfo(country)[3]),
    phone: phoneFor(rng, country),
    birth_date: birthNull ? null : dateString(rng.int(dayOf('1970-01-01'), dayOf('2006-12-31'))),
    signup_date: dateString(rng.int(SIGNUP_FROM, DATA_UNTIL)),
    marketing_opt_in: rng.chance(0.4) ? 1 : 0,
  };
}

/** Upper-cases an address's first letters: anna.smith@example.com -> Anna.Smith@Example.com */
const titleCaseEmail = (e: string): string => e.replace(/(^|[.@])([a-z])/g, (_, p: string, c: string) => p + c.toUpperCase());

export function makeCustomers(): { customers: Customer[]; kinds: CustomerKind[] } {
  const rng = new Rng('sluice-demo/customers');
  const book = new EmailBook(rng);
  const total = PLAN.customers;
  const ids = Array.from({ length: total }, (_, i) => i + 1);
  // Duplicates come later than their originals: pick their ids from the upper 90%.
  const duplicateIds = new Set(rng.shuffle(ids.slice(total / 10)).slice(0, PLAN.duplicateCustomers));
  const personIds = ids.filter((id) => !duplicateIds.has(id));

  const customers: Customer[] = new Array(total);
  const kinds: CustomerKind[] = new Array(total);
  for (const id of personIds) {
    const name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
    customers[id - 1] = person(rng, book, id, name, handleOf(name));
    kinds[id - 1] = 'clean';
  }

  // Disjoint sets of people for each kind of dirt and each kind of unicode name.
  const pool = rng.shuffle([...personIds]);
  let next = 0;
  const take = (n: number): Customer[] => pool.slice(next, (next += n)).map((id) => customers[id - 1]);
  const dirty = (c: Customer) => (kinds[c.id - 1] = 'dirty');
  for (const c of take(PLAN.emailMissingAt)) {
    c.email = rng.chance(0.5) ? c.email!.replace('@', '.') : c.email!.replace('@', '');
    dirty(c);
  }
  for (const c of take(PLAN.emailInnerSpace)) {
    const [local, domain] = c.email!.split('@');
    c.email = rng.chance(0.5) ? `${local.replace('.', ' ')}${local.includes('.') ? '' : ' x'}@${domain}` : `${local}@ ${domain}`;
    dirty(c);
  }
  for (const c of take(PLAN.emailUpperCase)) {
    c.email = rng.chance(0.3) ? c.email!.toUpperCase() : titleCaseEmail(c.email!);
    dirty(c);
  }
  for (const c of take(PLAN.emailEmpty)) {
    c.email = '';
    dirty(c);
  }
  for (const c of take(PLAN.emailNull)) {
    c.email = null;
    dirty(c);
  }
  for (const c of take(PLAN.nameBlank)) {
    c.name = rng.pick(['', ' ', '   ']);
    dirty(c);
  }
  for (const c of take(PLAN.countryEmpty)) {
    c.country = '';
    dirty(c);
  }
  for (const bad of SIGNUP_INVALID.slice(0, PLAN.signupDateInvalid)) {
    const [c] = take(1);
    c.signup_date = bad;
    dirty(c);
  }
  const unicode = (n: number, make: () => readonly [string, string]) => {
    for (const c of take(n)) {
      const [name, handle] = make();
      c.name = name;
      c.email = book.take(handle);
      kinds[c.id - 1] = 'unicode';
    }
  };
  unicode(PLAN.nameAccented, () => {
    const name = `${rng.pick(ACCENTED_FIRST)} ${rng.chance(0.6) ? rng.pick(ACCENTED_LAST) : rng.pick(LAST)}`;
    return [name, handleOf(name)];
  });
  unicode(PLAN.nameCjk, () => rng.pick(CJK));
  unicode(PLAN.nameEmoji, () => rng.pick(EMOJI));

  // Birth dates before 1970 (negative epoch days): people otherwise clean.
  const clean = () => pool.slice(next).filter((id) => kinds[id - 1] === 'clean');
  for (const id of rng.shuffle(clean()).slice(0, PLAN.birthBefore1970)) {
    customers[id - 1].birth_date = dateString(rng.int(dayOf('1931-01-01'), dayOf('1969-12-31')));
  }

  // Duplicates: the same person signed up again, their e-mail differing in case or
  // surrounding whitespace only. Originals are clean people with a smaller id.
  const used = new Set<number>();
  for (const id of [...duplicateIds].sort((a, b) => a - b)) {
    const candidates = personIds.filter((p) => p < id && kinds[p - 1] === 'clean');
    const original = customers[rng.pick(candidates) - 1];
    used.add(original.id);
    kinds[original.id - 1] = 'duplicated';
    const e = original.email!;
    const email = rng.pick([e.toUpperCase(), titleCaseEmail(e), ` ${e}`, `${e} `, ` ${titleCaseEmail(e)} `, `${e.toUpperCase()} `]);
    customers[id - 1] = {
      ...original,
      id,
      name: rng.chance(0.3) ? original.name.toUpperCase() : original.name,
      email,
      phone: rng.chance(0.5) ? null : original.phone,
      signup_date: dateString(rng.int(Math.min(dayOf(original.signup_date) + 1, DATA_UNTIL), DATA_UNTIL)),
      marketing_opt_in: rng.chance(0.4) ? 1 : 0,
    };
    kinds[id - 1] = 'duplicate';
  }
  return { customers, kinds };
}

export function makeProducts(): Product[] {
  const rng = new Rng('sluice-demo/products');
  const products: Product[] = [];
  for (let id = 1; id <= PLAN.products; id++) {
    const [category, prefix, min, max, nouns] = rng.pick(CATEGORIES);
    let name = `${rng.pick(ADJECTIVES)} ${rng.pick(nouns)}`;
    if (rng.chance(0.3)) name += ` (${rng.pick(COLOURS)})`;
    const cents = Math.round(rng.int(min, max) / 50) * 50 - 1; // prices end in .49 or .99
    products.push({
      id,
      sku: `${prefix}-${String(10_000 + id * 7).padStart(6, '0')}`,
      name,
      category,
      unit_price: Math.max(cents, 99) / 100,
      stock: rng.int(0, 500),
      active: 1,
      created_at: dateString(rng.int(dayOf('2018-06-01'), dayOf('2024-12-31'))),
    });
  }
  const order = rng.shuffle(products.map((p) => p.id));
  let next = 0;
  const take = (n: number) => order.slice(next, (next += n)).map((id) => products[id - 1]);
  for (const p of take(PLAN.productCategoryEmpty)) p.category = '';
  for (const p of take(PLAN.productPriceZero)) p.unit_price = 0;
  for (const p of take(PLAN.productsInactive)) p.active = 0;
  return products;
}

function orderAt(rng: Rng, id: number, ms: number, customers: number, products: Product[]): Order {
  // Skewed choices: a few customers and products account for many orders, as in life.
  const customer_id = 1 + Math.floor(customers * rng.next() ** 1.6);
  const product = products[Math.floor(products.length * rng.next() ** 1.4)];
  const status = rng.weighted([
    ['paid', 70],
    ['pending', 12],
    ['refunded', 8],
    ['cancelled', 10],
  ] as const);
  const cents = Math.round(product.unit_price * 100);
  const shipped = status === 'paid' || status === 'refunded' ? (rng.chance(0.9) ? timestampString(ms + rng.int(1, 5) * DAY + rng.int(0, DAY / 1000) * 1000) : null) : null;
  return {
    id,
    customer_id,
    product_id: product.id,
    quantity: rng.weighted([
      [1, 50],
      [2, 25],
      [3, 10],
      [4, 5],
      [5, 5],
      [rng.int(6, 20), 5],
    ] as const),
    unit_price: (rng.chance(0.1) ? Math.round(cents * 0.9) : cents) / 100,
    status,
    ordered_at: timestampString(ms),
    shipped_at: shipped,
    channel: rng.weighted([
      ['web', 70],
      ['app', 20],
      ['phone', 5],
      ['store', 5],
    ] as const),
    note: rng.chance(0.06) ? rng.pick(NOTES) : null,
  };
}

export function makeOrders(customerCount: number, products: Product[]): Order[] {
  const rng = new Rng('sluice-demo/orders');
  const from = ORDERS_FROM * DAY;
  const span = (DATA_UNTIL + 1) * DAY - from;
  // Order ids grow with time, as a real shop's do.
  const times = Array.from({ length: PLAN.orders }, () => from + Math.floor(rng.next() * (span / 1000)) * 1000).sort((a, b) => a - b);
  const orders = times.map((ms, i) => orderAt(rng, i + 1, ms, customerCount, products));
  const order = rng.shuffle(orders.map((o) => o.id));
  let next = 0;
  const take = (n: number) => order.slice(next, (next += n)).map((id) => orders[id - 1]);
  for (const o of take(PLAN.quantityZero)) o.quantity = 0;
  for (const o of take(PLAN.quantityNegative)) o.quantity = -rng.int(1, 5);
  for (const o of take(PLAN.missingCustomer)) o.customer_id = rng.int(customerCount + 1, customerCount + 900);
  for (const o of take(PLAN.missingProduct)) o.product_id = rng.int(products.length + 1, products.length + 99);
  for (const o of take(PLAN.statusEmpty)) {
    o.status = '';
    o.shipped_at = null;
  }
  return orders;
}

// --- files ---------------------------------------------------------------------------

const SHOP_SCHEMA = `
CREATE TABLE customers (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL,
  email             TEXT,
  country           TEXT,
  city              TEXT,
  phone             TEXT,
  birth_date        DATE,
  signup_date       DATE,
  marketing_opt_in  BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX customers_email ON customers (email);

CREATE TABLE products (
  id          INTEGER PRIMARY KEY,
  sku         TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  category    TEXT,
  unit_price  NUMERIC(10,2) NOT NULL,
  stock       INTEGER NOT NULL,
  active      BOOLEAN NOT NULL DEFAULT 1,
  created_at  DATE
);

-- customer_id and product_id are deliberately NOT foreign keys: some orders point at
-- customers or products that do not exist (see README.md).
CREATE TABLE orders (
  id           INTEGER PRIMARY KEY,
  customer_id  INTEGER NOT NULL,
  product_id   INTEGER NOT NULL,
  quantity     INTEGER NOT NULL,
  unit_price   NUMERIC(10,2) NOT NULL,
  status       TEXT NOT NULL,
  ordered_at   TIMESTAMP NOT NULL,
  shipped_at   TIMESTAMP,
  channel      TEXT NOT NULL,
  note         TEXT
);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_product ON orders (product_id);
CREATE INDEX orders_ordered_at ON orders (ordered_at);

CREATE VIEW order_lines AS
  SELECT o.id AS order_id, o.ordered_at, o.status, c.name AS customer, c.email, p.sku, p.name AS product,
         o.quantity, o.unit_price, round(o.quantity * o.unit_price, 2) AS total
  FROM orders o LEFT JOIN customers c ON c.id = o.customer_id LEFT JOIN products p ON p.id = o.product_id;
`;

function writeShopDb(file: string, customers: Customer[], products: Product[], orders: Order[]): void {
  // Built under a temporary name and renamed, so nobody ever opens half a database.
  const tmp = `${file}.tmp-${process.pid}`;
  fs.rmSync(tmp, { force: true });
  const db = new Database(tmp);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(SHOP_SCHEMA);
    const insert = <T extends object>(table: string, rows: T[]) => {
      const cols = Object.keys(rows[0]);
      const stmt = db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => '@' + c).join(', ')})`);
      for (const r of rows) stmt.run(r);
    };
    db.transaction(() => {
      insert('customers', customers);
      insert('products', products);
      insert('orders', orders);
    })();
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) fs.rmSync(f, { force: true });
  fs.renameSync(tmp, file);
}

/** RFC 4180: quote fields holding a comma, quote or line break; double inner quotes. */
const csvField = (v: string | number | null): string => {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

interface FileResult {
  text: string;
  counts: Record<string, number>;
}

const CSV_HEADER = ['order_id', 'ordered_at', 'customer_id', 'customer_email', 'customer_name', 'sku', 'product_name', 'quantity', 'unit_price', 'total', 'status', 'channel', 'note'];

/**
 * The web shop's export of its latest orders: the last 5,000 orders in the database
 * (some with a newer status) plus orders placed after the database snapshot. Customer and
 * product are denormalised (email, name, SKU), as exports do; a missing key leaves them empty.
 */
function makeOrdersCsv(customers: Customer[], products: Product[], orders: Order[]): FileResult {
  const rng = new Rng('sluice-demo/orders_export.csv');
  const rows = orders.slice(PLAN.csvFirstOrder - 1).map((o) => ({ ...o }));
  const pending = rng.shuffle(rows.filter((o) => o.status === 'pending')).slice(0, PLAN.csvPendingToPaid);
  const paid = rng.shuffle(rows.filter((o) => o.status === 'paid')).slice(0, PLAN.csvPaidToRefunded);
  for (const o of pending) o.status = 'paid';
  for (const o of paid) o.status = 'refunded';
  let last = Date.parse(orders[orders.length - 1].ordered_at.replace(' ', 'T') + 'Z');
  for (let i = 0; i < PLAN.csvNewOrders; i++) {
    last += rng.int(60, 600) * 1000;
    rows.push(orderAt(rng, orders.length + 1 + i, last, customers.length, products));
  }

  const lines = [CSV_HEADER.join(',')];
  let withComma = 0,
    withNewline = 0,
    withQuote = 0;
  for (const o of rows) {
    const c = customers[o.customer_id - 1] as Customer | undefined;
    const p = products[o.product_id - 1] as Product | undefined;
    const cents = Math.round(o.unit_price * 100);
    const fields = [o.id, isoString(Date.parse(o.ordered_at.replace(' ', 'T') + 'Z')), o.customer_id, c?.email ?? '', c?.name ?? '', p?.sku ?? '', p?.name ?? '', o.quantity, money(cents), money(cents * o.quantity), o.status, o.channel, o.note];
    const texts = fields.map((f) => (f === null ? '' : String(f)));
    if (texts.some((t) => t.includes(','))) withComma++;
    if (texts.some((t) => t.includes('\n'))) withNewline++;
    if (texts.some((t) => t.includes('"'))) withQuote++;
    lines.push(fields.map(csvField).join(','));
  }
  return {
    text: lines.join('\n') + '\n',
    counts: {
      'csv.rows': rows.length,
      'csv.new_orders': PLAN.csvNewOrders,
      'csv.status_changed': pending.length + paid.length,
      'csv.rows_with_comma': withComma,
      'csv.rows_with_line_break': withNewline,
      'csv.rows_with_quote': withQuote,
    },
  };
}

/**
 * A CRM's customer dump: most records are customers the shop knows (matched by e-mail,
 * sometimes in another case, some moved to another city), the rest are new, with their own
 * kinds of dirt (no e-mail key, null, no @) and a few numbers written as strings.
 */
function makeCustomersNdjson(customers: Customer[], kinds: CustomerKind[]): FileResult {
  const rng = new Rng('sluice-demo/customers.ndjson');
  const book = new EmailBook(rng);
  // Only people with a usable address that no other customer shares can be matched by e-mail.
  const known = rng.shuffle(customers.filter((c, i) => kinds[i] === 'clean' || kinds[i] === 'unicode')).slice(0, PLAN.ndjsonExisting);
  const updated = (): string => `${dateString(rng.int(dayOf('2025-01-01'), DATA_UNTIL))}T${String(rng.int(0, 23)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}Z`;
  const tags = () => rng.shuffle([...TAGS]).slice(0, rng.weighted([[0, 4], [1, 3], [2, 2], [3, 1]] as const));
  type Rec = Record<string, unknown>;
  const records: Rec[] = known.map((c, i) => {
    const info = countryInfo(c.country);
    const city = i < PLAN.ndjsonCityChanged ? rng.pick(info[3].filter((x) => x !== c.city)) : c.city;
    return {
      crm_id: '',
      name: c.name,
      email: i >= PLAN.ndjsonCityChanged && i < PLAN.ndjsonCityChanged + PLAN.ndjsonEmailCaseDiffers ? titleCaseEmail(c.email!) : c.email,
      phone: c.phone,
      address: { city, country: c.country },
      birth_date: c.birth_date,
      tags: tags(),
      lifetime_value: rng.int(0, 500_000) / 100,
      updated_at: updated(),
    };
  });
  for (let i = 0; i < PLAN.ndjsonNew; i++) {
    const name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
    let email = book.take(handleOf(name));
    // Not one of the shop's addresses: these people are new to it.
    while (customers.some((c) => c.email !== null && c.email.trim().toLowerCase() === email)) email = book.take(handleOf(name));
    const country = rng.weighted(COUNTRY_WEIGHTS);
    const rec: Rec = {
      crm_id: '',
      name,
      email,
      phone: phoneFor(rng, country),
      address: { city: rng.pick(countryInfo(country)[3]), country },
      birth_date: rng.chance(0.1) ? null : dateString(rng.int(dayOf('1940-01-01'), dayOf('2006-12-31'))),
      tags: tags(),
      lifetime_value: rng.int(0, 200_000) / 100,
      updated_at: updated(),
    };
    if (i < PLAN.ndjsonEmailKeyMissing) delete rec.email;
    else if (i < PLAN.ndjsonEmailKeyMissing + PLAN.ndjsonEmailNull) rec.email = null;
    else if (i < PLAN.ndjsonEmailKeyMissing + PLAN.ndjsonEmailNull + PLAN.ndjsonEmailInvalid) rec.email = email.replace('@', '_at_');
    records.push(rec);
  }
  rng.shuffle(records);
  for (const r of rng.shuffle([...records]).slice(0, PLAN.ndjsonLifetimeValueAsString)) r.lifetime_value = money(Math.round((r.lifetime_value as number) * 100));
  records.forEach((r, i) => (r.crm_id = `CRM-${String(i + 1).padStart(6, '0')}`));
  return {
    text: records.map((r) => JSON.stringify(r)).join('\n') + '\n',
    counts: {
      'ndjson.rows': records.length,
      'ndjson.existing': PLAN.ndjsonExisting,
      'ndjson.new': PLAN.ndjsonNew,
      'ndjson.email_case_differs': PLAN.ndjsonEmailCaseDiffers,
      'ndjson.city_changed': PLAN.ndjsonCityChanged,
      'ndjson.email_key_missing': PLAN.ndjsonEmailKeyMissing,
      'ndjson.email_null': PLAN.ndjsonEmailNull,
      'ndjson.email_invalid': PLAN.ndjsonEmailInvalid,
      'ndjson.lifetime_value_as_string': PLAN.ndjsonLifetimeValueAsString,
    },
  };
}

// --- the advertised checks -----------------------------------------------------------

/** One line of the README's dirt table: a count and the SQL that finds those rows in shop.db. */
export interface DbCheck {
  key: string;
  what: string;
  sql: string;
}

const DUPLICATE_EMAIL = `EXISTS (SELECT 1 FROM customers e WHERE e.id < c.id AND lower(trim(e.email)) = lower(trim(c.email)))`;

export const DB_CHECKS: readonly DbCheck[] = [
  { key: 'customers', what: 'customers', sql: 'SELECT count(*) FROM customers' },
  { key: 'customers.duplicate_email', what: 'duplicates: same e-mail as an earlier customer, differing in case or surrounding spaces', sql: `SELECT count(*) FROM customers c WHERE trim(c.email) <> '' AND ${DUPLICATE_EMAIL}` },
  { key: 'customers.email_missing_at', what: 'e-mail without @', sql: `SELECT count(*) FROM customers WHERE email <> '' AND instr(email, '@') = 0` },
  { key: 'customers.email_inner_space', what: 'e-mail with a space inside', sql: `SELECT count(*) FROM customers WHERE instr(trim(email), ' ') > 0` },
  { key: 'customers.email_upper_case', what: 'e-mail with upper-case letters (not counting duplicates)', sql: `SELECT count(*) FROM customers c WHERE email <> lower(email) AND NOT ${DUPLICATE_EMAIL} AND NOT EXISTS (SELECT 1 FROM customers d WHERE d.id > c.id AND lower(trim(d.email)) = lower(trim(c.email)))` },
  { key: 'customers.email_empty', what: "e-mail is '' (empty string)", sql: `SELECT count(*) FROM customers WHERE email = ''` },
  { key: 'customers.email_null', what: 'e-mail is NULL', sql: `SELECT count(*) FROM customers WHERE email IS NULL` },
  { key: 'customers.name_blank', what: "name is '' or only spaces", sql: `SELECT count(*) FROM customers WHERE trim(name) = ''` },
  { key: 'customers.country_empty', what: "country is ''", sql: `SELECT count(*) FROM customers WHERE country = ''` },
  { key: 'customers.signup_date_invalid', what: 'signup_date not a valid YYYY-MM-DD date', sql: `SELECT count(*) FROM customers WHERE signup_date IS NOT NULL AND date(julianday(signup_date)) IS NOT signup_date` },
  { key: 'customers.birth_date_before_1970', what: 'birth_date before 1970 (negative epoch days)', sql: `SELECT count(*) FROM customers WHERE birth_date < '1970-01-01'` },
  { key: 'customers.birth_date_null', what: 'birth_date unknown (NULL)', sql: `SELECT count(*) FROM customers WHERE birth_date IS NULL` },
  { key: 'customers.name_accented', what: 'names with accented Latin letters (é, ø, ł, ễ ...)', sql: `SELECT count(*) FROM customers WHERE name GLOB '*[À-ɏḀ-ỿ]*'` },
  { key: 'customers.name_cjk', what: 'names in Chinese, Japanese or Korean script', sql: `SELECT count(*) FROM customers WHERE name GLOB '*[一-鿿]*' OR name GLOB '*[가-힯]*' OR name GLOB '*[぀-ヿ]*'` },
  { key: 'customers.name_emoji', what: 'names with an emoji', sql: `SELECT count(*) FROM customers WHERE name GLOB '*[🌀-🫿]*'` },
  { key: 'products', what: 'products', sql: 'SELECT count(*) FROM products' },
  { key: 'products.category_empty', what: "category is ''", sql: `SELECT count(*) FROM products WHERE category = ''` },
  { key: 'products.unit_price_zero', what: 'unit_price is 0', sql: `SELECT count(*) FROM products WHERE unit_price = 0` },
  { key: 'products.inactive', what: 'inactive (active = 0), still referenced by orders', sql: `SELECT count(*) FROM products WHERE active = 0` },
  { key: 'products.name_with_comma_or_quote', what: 'names containing a comma or a double quote', sql: `SELECT count(*) FROM products WHERE instr(name, ',') > 0 OR instr(name, '"') > 0` },
  { key: 'orders', what: 'orders', sql: 'SELECT count(*) FROM orders' },
  { key: 'orders.quantity_zero', what: 'quantity = 0', sql: `SELECT count(*) FROM orders WHERE quantity = 0` },
  { key: 'orders.quantity_negative', what: 'quantity < 0', sql: `SELECT count(*) FROM orders WHERE quantity < 0` },
  { key: 'orders.missing_customer', what: 'customer_id matches no customer', sql: `SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id)` },
  { key: 'orders.missing_product', what: 'product_id matches no product', sql: `SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = o.product_id)` },
  { key: 'orders.status_empty', what: "status is '' (otherwise paid, pending, refunded or cancelled)", sql: `SELECT count(*) FROM orders WHERE status = ''` },
  { key: 'orders.of_duplicate_customers', what: 'orders placed by a duplicate customer row', sql: `SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE trim(c.email) <> '' AND ${DUPLICATE_EMAIL}` },
  { key: 'orders.with_note', what: 'orders with a note (some with commas, quotes, line breaks)', sql: `SELECT count(*) FROM orders WHERE note IS NOT NULL` },
];

/** Recounts in TypeScript what DB_CHECKS count in SQL, so the plan is checked before writing. */
function countDb(customers: Customer[], products: Product[], orders: Order[]): Record<string, number> {
  const norm = (e: string | null) => (e === null ? null : e.trim().toLowerCase());
  const firstWith = new Map<string, number>();
  const lastWith = new Map<string, number>();
  for (const c of customers) {
    const n = norm(c.email);
    if (n === null) continue;
    if (!firstWith.has(n)) firstWith.set(n, c.id);
    lastWith.set(n, c.id);
  }
  const isDuplicate = (c: Customer) => c.email !== null && norm(c.email) !== '' && firstWith.get(norm(c.email)!)! < c.id;
  const hasLaterDuplicate = (c: Customer) => c.email !== null && lastWith.get(norm(c.email)!)! > c.id;
  const customerIds = new Set(customers.map((c) => c.id));
  const productIds = new Set(products.map((p) => p.id));
  const byId = new Map(customers.map((c) => [c.id, c]));
  const validDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && Number.isFinite(dayOf(s)) && dateString(dayOf(s)) === s;
  const n = <T>(rows: T[], f: (r: T) => boolean) => rows.filter(f).length;
  return {
    customers: customers.length,
    'customers.duplicate_email': n(customers, isDuplicate),
    'customers.email_missing_at': n(customers, (c) => !!c.email && !c.email.includes('@')),
    'customers.email_inner_space': n(customers, (c) => !!c.email && c.email.trim().includes(' ')),
    'customers.email_upper_case': n(customers, (c) => !!c.email && c.email !== c.email.toLowerCase() && !isDuplicate(c) && !hasLaterDuplicate(c)),
    'customers.email_empty': n(customers, (c) => c.email === ''),
    'customers.email_null': n(customers, (c) => c.email === null),
    'customers.name_blank': n(customers, (c) => c.name.trim() === ''),
    'customers.country_empty': n(customers, (c) => c.country === ''),
    'customers.signup_date_invalid': n(customers, (c) => !validDate(c.signup_date)),
    'customers.birth_date_before_1970': n(customers, (c) => c.birth_date !== null && c.birth_date < '1970-01-01'),
    'customers.birth_date_null': n(customers, (c) => c.birth_date === null),
    'customers.name_accented': n(customers, (c) => /[\u00c0-\u024f\u1e00-\u1eff]/u.test(c.name)),
    'customers.name_cjk': n(customers, (c) => /[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(c.name)),
    'customers.name_emoji': n(customers, (c) => /[\u{1f300}-\u{1faff}]/u.test(c.name)),
    products: products.length,
    'products.category_empty': n(products, (p) => p.category === ''),
    'products.unit_price_zero': n(products, (p) => p.unit_price === 0),
    'products.inactive': n(products, (p) => p.active === 0),
    'products.name_with_comma_or_quote': n(products, (p) => /[,"]/.test(p.name)),
    orders: orders.length,
    'orders.quantity_zero': n(orders, (o) => o.quantity === 0),
    'orders.quantity_negative': n(orders, (o) => o.quantity < 0),
    'orders.missing_customer': n(orders, (o) => !customerIds.has(o.customer_id)),
    'orders.missing_product': n(orders, (o) => !productIds.has(o.product_id)),
    'orders.status_empty': n(orders, (o) => o.status === ''),
    'orders.of_duplicate_customers': n(orders, (o) => byId.has(o.customer_id) && isDuplicate(byId.get(o.customer_id)!)),
    'orders.with_note': n(orders, (o) => o.note !== null),
  };
}

/** The planned numbers each count must equal; a mismatch is a bug in this script. */
function assertPlan(counts: Record<string, number>): void {
  const expected: Record<string, number> = {
    customers: PLAN.customers,
    'customers.duplicate_email': PLAN.duplicateCustomers,
    'customers.email_missing_at': PLAN.emailMissingAt,
    'customers.email_inner_space': PLAN.emailInnerSpace,
    'customers.email_upper_case': PLAN.emailUpperCase,
    'customers.email_empty': PLAN.emailEmpty,
    'customers.email_null': PLAN.emailNull,
    'customers.name_blank': PLAN.nameBlank,
    'customers.country_empty': PLAN.countryEmpty,
    'customers.signup_date_invalid': PLAN.signupDateInvalid,
    'customers.name_accented': PLAN.nameAccented,
    'customers.name_cjk': PLAN.nameCjk,
    'customers.name_emoji': PLAN.nameEmoji,
    products: PLAN.products,
    'products.category_empty': PLAN.productCategoryEmpty,
    'products.unit_price_zero': PLAN.productPriceZero,
    'products.inactive': PLAN.productsInactive,
    orders: PLAN.orders,
    'orders.quantity_zero': PLAN.quantityZero,
    'orders.quantity_negative': PLAN.quantityNegative,
    'orders.missing_customer': PLAN.missingCustomer,
    'orders.missing_product': PLAN.missingProduct,
    'orders.status_empty': PLAN.statusEmpty,
  };
  for (const [k, v] of Object.entries(expected)) {
    if (counts[k] !== v) throw new Error(`generate-demo: planned ${v} for ${k} but generated ${counts[k]}`);
  }
}

// --- README --------------------------------------------------------------------------

/** What each file count means, in README order. */
export const FILE_COUNTS: Readonly<Record<string, string>> = {
  'csv.rows': 'data rows (header excluded)',
  'csv.new_orders': 'orders not in shop.db (order_id above the last id there)',
  'csv.status_changed': 'orders whose status differs from shop.db',
  'csv.rows_with_comma': 'rows with a comma inside a (quoted) field',
  'csv.rows_with_line_break': 'rows with a line break inside a (quoted) field',
  'csv.rows_with_quote': 'rows with a double quote inside a (quoted) field',
  'ndjson.rows': 'records (lines)',
  'ndjson.existing': 'customers of shop.db (email equal after lower(trim()))',
  'ndjson.new': 'customers shop.db does not have',
  'ndjson.email_case_differs': 'existing customers whose email differs from shop.db in case only',
  'ndjson.city_changed': 'existing customers whose address.city differs from shop.db',
  'ndjson.email_key_missing': 'new customers without an "email" key',
  'ndjson.email_null': 'new customers with "email": null',
  'ndjson.email_invalid': 'new customers with an email without @',
  'ndjson.lifetime_value_as_string': 'records with lifetime_value as a string ("123.40") instead of a number',
};

/** 12345 -> "12,345", without depending on the ICU data Node was built with. */
const fmt = (n: number): string => String(n).replace(/\B(?=(\d{3})+$)/g, ',');

function renderReadme(counts: Record<string, number>): string {
  const dbRows = DB_CHECKS.map((c) => `| \`${c.key}\` | ${fmt(counts[c.key])} | ${c.what} | \`${c.sql.replaceAll('|', '\\|')}\` |`);
  const fileRows = Object.entries(FILE_COUNTS).map(([k, what]) => `| \`${k}\` | ${fmt(counts[k])} | ${what} |`);
  return `# Demo workspace

The data Sluice opens on first start. The data files are **generated, not committed**:
\`npx tsx scripts/generate-demo.ts [outDir]\` (also \`npm run demo:generate\`) writes them here from seeded
random generators, so every run produces the same bytes (the database: the same rows). This
README is written by the same script (it is committed, and regenerating it changes nothing); the
numbers below are recounted from the generated rows, and \`scripts/generate-demo.test.ts\` checks
them against the files with the queries shown.

| file | what |
|---|---|
| \`shop.db\` | SQLite: \`customers\` (${fmt(counts.customers)}), \`products\` (${fmt(counts.products)}), \`orders\` (${fmt(counts.orders)}), view \`order_lines\` |
| \`orders_export.csv\` | the web shop's export of its latest orders: the last ${fmt(PLAN.orders - PLAN.csvFirstOrder + 1)} orders of \`shop.db\` plus ${fmt(PLAN.csvNewOrders)} newer ones |
| \`customers.ndjson\` | a CRM's customer dump, one JSON object per line, with nested \`address\` and \`tags\` |

## shop.db

- \`customers(id INTEGER PRIMARY KEY, name, email, country, city, phone, birth_date DATE, signup_date DATE, marketing_opt_in BOOLEAN)\`
- \`products(id INTEGER PRIMARY KEY, sku UNIQUE, name, category, unit_price NUMERIC(10,2), stock, active BOOLEAN, created_at DATE)\`
- \`orders(id INTEGER PRIMARY KEY, customer_id, product_id, quantity, unit_price NUMERIC(10,2), status, ordered_at TIMESTAMP, shipped_at TIMESTAMP, channel, note)\`

Primary keys are declared; foreign keys are **not** (orders with missing customers and products
must be insertable). Dates are \`YYYY-MM-DD\` text (but see the invalid signup dates: SQLite's NUMERIC
affinity stores \`20230115\` as an integer), timestamps \`YYYY-MM-DD HH:MM:SS\` in UTC, booleans 0/1,
prices two-decimal values in NUMERIC affinity (SQLite stores them as REAL, whole ones as INTEGER). \`status\` is one of
\`paid\`, \`pending\`, \`refunded\`, \`cancelled\` except where noted. Order ids grow with \`ordered_at\`
(2023-01-01 to 2025-06-30).

### Where the dirt is

Each kind of dirt is planted in its own rows (a row has at most one kind of e-mail problem),
except where the description says otherwise. Duplicates copy a clean customer (name, country,
city, birth date) and change the e-mail's case or surround it with spaces, so they also have
upper-case letters or spaces in \`email\`; \`email_upper_case\` counts only the others.

| key | rows | what | query |
|---|---:|---|---|
${dbRows.join('\n')}

## orders_export.csv

Header \`${CSV_HEADER.join(',')}\`; UTF-8 without BOM, \`\\n\` line ends, RFC 4180 quoting (fields with a
comma, quote or line break are quoted; quotes doubled). \`ordered_at\` is ISO-8601 with \`Z\` (the
same instant as the database's naive UTC timestamp); \`unit_price\` and \`total\` have two decimals.
Rows whose order points at a missing customer or product carry the id but empty email/name or
sku/product_name. ${fmt(counts['csv.status_changed'])} rows have a newer \`status\` than \`shop.db\`
(pending -> paid, paid -> refunded): a sync demo finds exactly those, plus the new orders.

## customers.ndjson

Fields: \`crm_id\`, \`name\`, \`email\`, \`phone\`, \`address: {city, country}\`, \`birth_date\`, \`tags[]\`,
\`lifetime_value\` (a number, except where noted), \`updated_at\` (ISO-8601 with \`Z\`). Existing customers
are matched by \`lower(trim(email))\`; only customers with a usable, unique e-mail were exported.

## Counts for the files

| key | count | what |
|---|---:|---|
${fileRows.join('\n')}
`;
}

// --- entry points --------------------------------------------------------------------

export async function generateDemo(outDir: string): Promise<{ files: string[]; counts: Record<string, number> }> {
  const dir = path.resolve(outDir);
  fs.mkdirSync(dir, { recursive: true });
  const { customers, kinds } = makeCustomers();
  const products = makeProducts();
  const orders = makeOrders(customers.length, products);
  const counts = countDb(customers, products, orders);
  assertPlan(counts);

  const csv = makeOrdersCsv(customers, products, orders);
  const ndjson = makeCustomersNdjson(customers, kinds);
  Object.assign(counts, csv.counts, ndjson.counts);

  const files = {
    db: path.join(dir, 'shop.db'),
    csv: path.join(dir, 'orders_export.csv'),
    ndjson: path.join(dir, 'customers.ndjson'),
    readme: path.join(dir, 'README.md'),
  };
  writeShopDb(files.db, customers, products, orders);
  await fs.promises.writeFile(files.csv, csv.text);
  await fs.promises.writeFile(files.ndjson, ndjson.text);
  await fs.promises.writeFile(files.readme, renderReadme(counts));
  return { files: Object.values(files), counts };
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain) {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const outDir = process.argv[2] ?? path.join(here, '..', 'resources', 'demo');
  const started = performance.now();
  const { files, counts } = await generateDemo(outDir);
  console.log(`demo data written in ${Math.round(performance.now() - started)} ms:`);
  for (const f of files) console.log(`  ${path.relative(process.cwd(), f)}`);
  console.log(`  ${counts.customers} customers, ${counts.products} products, ${counts.orders} orders`);
}
