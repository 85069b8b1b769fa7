import type { ConnectorModule } from '../types';
import { parseConnectionUrl, resolveFilePath, resolveOptions } from '../url';
import { SqliteConnection } from './connection';
import { sqliteOptions } from './options';

export const sqliteConnector: ConnectorModule = {
  id: 'sqlite',
  title: 'SQLite',
  description: 'A SQLite database file (or :memory:), through better-sqlite3: tables, views, queries, keys; writes in transactions.',
  kind: 'database',
  schemes: ['sqlite', 'sqlite3'],
  options: sqliteOptions,
  examples: ['sqlite:./data.db', 'sqlite:/var/data/shop.db?readonly=true', 'sqlite::memory:'],
  async open(config, ctx) {
    const url = parseConnectionUrl(config.url);
    const path = url.body === ':memory:' ? ':memory:' : resolveFilePath(url.body, ctx.baseDir);
    return new SqliteConnection(path, resolveOptions(sqliteOptions, url.query, config.options, 'sqlite'));
  },
};
