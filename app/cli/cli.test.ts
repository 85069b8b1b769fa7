import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../scripts/generate-demo';
import { WorkbenchStore } from '../store';
import { main } from './main';

const DEMO = join(import.meta.dirname, '..', '..', 'resources', 'demo');
const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;
let home: string;
const previousHome = process.env.SLUICE_HOME;

async function sluice(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t + '\n'), err: (t) => void (err += t + '\n') });
  return { code, out, err };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
  home = mkdtempSync(join(tmpdir(), 'sluice-home-'));
  process.env.SLUICE_HOME = home;
  await generateDemo(dir);
  for (const f of readdirSync(DEMO).filter((f) => f.endsWith('.yaml'))) copyFileSync(join(DEMO, f), join(dir, f));
});

afterAll(() => {
  if (previousHome === undefined) delete process.env.SLUICE_HOME;
  else process.env.SLUICE_HOME = previousHome;
});

describe('sluice run', () => {
  it('runs the demo pipeline, prints the summary, records the run and exits 3 for rejected rows', async () => {
    const r = await sluice('run', join(dir, 'clean-orders.yaml'));
    expect(r.err).toBe('');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/with_customer\s+lookup\s+21,995\s+19,904\s+96/);
    expect(r.out).toMatch(/succeeded in .*20,000 rows read \(|succeeded in .* rows read/);
    const db = new Database(join(dir, 'warehouse.db'), { readonly: true });
    const paid = db.prepare('select count(*) n from paid_orders').get() as { n: number };
    db.close();
    expect(paid.n).toBe(13_375);
    expect(readFileSync(join(dir, 'rejected_orders.csv'), 'utf8').split('\n')[0]).toContain('_rejected_message');
    const store = WorkbenchStore.open();
    try {
      const [run] = store.listRuns({ limit: 1 });
      expect(run).toMatchObject({ kind: 'pipeline', name: 'clean-orders', status: 'succeeded' });
      const groups = store.summarizeRejected(run.id);
      expect(groups.find((g) => g.rule === 'positive_quantity')?.count).toBe(100);
      expect(groups.find((g) => g.nodeId === 'with_customer')?.count).toBe(96);
    } finally {
      store.close();
    }
  });

  it('exits 0 when nothing is rejected, and takes parameters cast to their type', async () => {
    const r = await sluice('run', '--quiet', '--param', 'since=2025-06-01', join(dir, 'sales-by-country.yaml'));
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    const csv = readFileSync(join(dir, 'sales_by_country.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('country,month,orders,revenue,average_order');
    expect(csv.slice(1).every((l) => l.split(',')[1] === '2025-06')).toBe(true);
  });

  it('refuses a parameter value that is not of its type, and unknown parameters', async () => {
    const bad = await sluice('run', '--param', 'since=yesterday', join(dir, 'sales-by-country.yaml'));
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("parameter 'since': \"yesterday\" is not a date");
    const unknown = await sluice('run', '--param', 'sinse=2024-01-01', join(dir, 'sales-by-country.yaml'));
    expect(unknown.err).toContain("unknown parameter 'sinse'");
  });

  it('names an unset secret variable', async () => {
    const file = join(dir, 'secret.yaml');
    writeFileSync(
      file,
      `version: 1
name: secret
connections:
  db: { url: "sqlite:./shop.db?x=\${env:SLUICE_TEST_UNSET_VAR}" }
nodes:
  - { id: a, type: source, config: { connection: db, table: orders } }
  - { id: b, type: sink, config: { connection: "csv:./out.csv" } }
edges:
  - { from: a, to: b }
`,
    );
    const r = await sluice('run', '--no-store', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain("connection 'db': environment variable SLUICE_TEST_UNSET_VAR is not set");
  });
});

describe('sluice validate', () => {
  it('lists every problem at once with paths, positions and suggestions', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      `version: 1
name: broken
connections:
  shop: { url: "sqlite:./shop.db" }
nodes:
  - { id: orders, type: source, config: { connection: shop, table: orders } }
  - { id: tidy, type: derive, config: { columns: [{ name: total, expr: "quantity * unit_prise" }] } }
  - { id: paid, type: filtr, config: { where: "status = 'paid'" } }
  - { id: bad, type: filter, config: { where: "status = = 'x'" } }
  - { id: num, type: filter, config: { where: "quantity + 1" } }
  - { id: out, type: sink, config: { connection: "csv:./x.csv" } }
edges:
  - { from: orders, to: tidy }
  - { from: orders, to: bad }
  - { from: orders, to: num }
  - { from: tidy, to: paid }
  - { from: paid, to: out }
  - { from: num, to: nowhere }
`,
    );
    const r = await sluice('validate', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain("nodes[1].config.columns[0].expr: node 'tidy': columns[0].expr:");
    expect(r.err).toMatch(/unit_prise.*did you mean 'unit_price'/);
    expect(r.err).toContain("nodes[2].type: node 'paid': unknown node type 'filtr' (did you mean 'filter'?)");
    expect(r.err).toMatch(/nodes\[3\]\.config\.where: node 'bad': where: .*\(at \d+ in "status = = 'x'"\)/);
    expect(r.err).toMatch(/nodes\[4\]\.config\.where: node 'num': where: the condition is a (bigint|int), not a boolean/);
    expect(r.err).toContain("edges[5].to: edge num -> nowhere: no node 'nowhere'");
    const json = await sluice('validate', '--json', file);
    const parsed = JSON.parse(json.out) as { valid: boolean; problems: unknown[] };
    expect(parsed.valid).toBe(false);
    expect(parsed.problems.length).toBeGreaterThanOrEqual(5);
  });

  it('says valid for the demo pipelines and gives inferred schemas as JSON', async () => {
    for (const f of ['clean-orders.yaml', 'customers-dedupe.yaml', 'sales-by-country.yaml']) {
      const r = await sluice('validate', join(dir, f));
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
    }
    const r = await sluice('validate', '--json', join(dir, 'clean-orders.yaml'));
    const j = JSON.parse(r.out) as { schemas: Record<string, Record<string, Array<{ name: string; type: string }>>> };
    expect(j.schemas.tidy.out.find((c) => c.name === 'total')?.type).toMatch(/^decimal/);
    expect(j.schemas.check.rejected.map((c) => c.name)).toContain('_rejected_message');
  });

  it('reports a YAML syntax error with its line', async () => {
    const file = join(dir, 'syntax.yaml');
    writeFileSync(file, 'version: 1\nname: x\nnodes: [\n  - id: a\n');
    const r = await sluice('validate', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/syntax\.yaml:\d+:\d+: /);
  });
});

describe('sluice preview, inspect, export, schema, help', () => {
  it('previews the first rows at a node without writing anything', async () => {
    const r = await sluice('preview', join(dir, 'customers-dedupe.yaml'), '--node', 'tidy', '--limit', '4', '--json');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.out) as { rows: unknown[][]; columns: Array<{ name: string }> };
    expect(p.rows).toHaveLength(4);
    expect(p.columns.map((c) => c.name)).toContain('email');
  });

  it('inspects a connection and a table', async () => {
    const tables = await sluice('inspect', `sqlite:${join(dir, 'shop.db')}`);
    expect(tables.out).toMatch(/orders\s+table\s+20,000/);
    const t = await sluice('inspect', `sqlite:${join(dir, 'shop.db')}`, '--table', 'products');
    expect(t.out).toMatch(/unit_price\s+decimal\(10,2\)\s+NUMERIC\(10,2\)/);
    expect(t.out).toContain('unique (sku)');
  });

  it('exports canonical JSON and YAML that round-trip unchanged', async () => {
    const json = await sluice('export', join(dir, 'clean-orders.yaml'), '--format', 'json');
    expect(json.code).toBe(0);
    const jsonFile = join(dir, 'clean-orders.json');
    writeFileSync(jsonFile, json.out);
    const yaml = await sluice('export', jsonFile, '--format', 'yaml');
    const yamlFile = join(dir, 'again.yaml');
    writeFileSync(yamlFile, yaml.out);
    const json2 = await sluice('export', yamlFile, '--format', 'json');
    expect(json2.out).toBe(json.out);
    // The demo files are kept in canonical form: exporting them changes nothing.
    expect(yaml.out).toBe(readFileSync(join(DEMO, 'clean-orders.yaml'), 'utf8'));
  });

  it('prints a JSON Schema that is the one published in resources/ (run npm run schema:generate when this fails)', async () => {
    const r = await sluice('schema');
    expect(r.out).toBe(readFileSync(join(ROOT, 'resources', 'pipeline.schema.json'), 'utf8'));
    const sync = await sluice('schema', '--kind', 'sync');
    expect(sync.out).toBe(readFileSync(join(ROOT, 'resources', 'sync.schema.json'), 'utf8'));
  });

  it('describes node types and connectors from their own descriptions', async () => {
    const n = await sluice('nodes', 'filter');
    expect(n.out).toContain('where: string');
    expect(n.out).toContain('FALSE and NULL drop it');
    const c = await sluice('connectors', 'csv');
    expect(c.out).toContain('delimiter');
    const bad = await sluice('nodes', 'filtr');
    expect(bad.code).toBe(2);
  });

  it('runs as the installed executable with documented exit codes', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'sluice.mjs'), 'validate', join(dir, 'nope.yaml')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nope.yaml: no such file');
    const help = spawnSync(process.execPath, [join(ROOT, 'bin', 'sluice.mjs'), '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
  });

  it('output piped into a reader that stops early is dropped quietly (no EPIPE crash)', () => {
    // The reader (true) is gone before the CLI writes; pipefail: the status is the CLI's own.
    const r = spawnSync('bash', ['-c', 'set -o pipefail; "$0" "$1" schema | true', process.execPath, join(ROOT, 'bin', 'sluice.mjs')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
