import type { Db } from './database';
import { StoreError } from './errors';
import type { PipelineInput, PipelineSummary, StoredPipeline } from './types';

interface PipelineRow {
  id: string;
  name: string;
  path: string | null;
  format: 'yaml' | 'json';
  size: number;
  created_at: string;
  updated_at: string;
  text?: string;
}

const SUMMARY = 'id, name, path, format, length(text) AS size, created_at, updated_at';

export class PipelineRepo {
  private readonly upsert;
  private readonly byId;
  private readonly all;
  private readonly remove;

  constructor(db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO pipelines (id, name, path, format, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, path = excluded.path, format = excluded.format,
         text = excluded.text, updated_at = excluded.updated_at`,
    );
    this.byId = db.prepare(`SELECT ${SUMMARY}, text FROM pipelines WHERE id = ?`);
    this.all = db.prepare(`SELECT ${SUMMARY} FROM pipelines ORDER BY name COLLATE NOCASE, name, id`);
    this.remove = db.prepare(`DELETE FROM pipelines WHERE id = ?`);
  }

  save(p: PipelineInput): void {
    if (!p.id) throw new StoreError('A pipeline needs an id');
    if (p.format !== 'yaml' && p.format !== 'json') throw new StoreError(`Pipeline "${p.id}": format must be 'yaml' or 'json' (got ${JSON.stringify(p.format)})`);
    if (typeof p.text !== 'string') throw new StoreError(`Pipeline "${p.id}": text must be a string`);
    const now = new Date().toISOString();
    this.upsert.run(p.id, p.name, p.path ?? null, p.format, p.text, now, now);
  }

  get(id: string): StoredPipeline | undefined {
    const row = this.byId.get(id) as PipelineRow | undefined;
    return row && { ...toSummary(row), text: row.text ?? '' };
  }

  list(): PipelineSummary[] {
    return (this.all.all() as PipelineRow[]).map(toSummary);
  }

  delete(id: string): void {
    this.remove.run(id);
  }
}

function toSummary(r: PipelineRow): PipelineSummary {
  const s: PipelineSummary = { id: r.id, name: r.name, format: r.format, size: r.size, createdAt: r.created_at, updatedAt: r.updated_at };
  if (r.path !== null) s.path = r.path;
  return s;
}
