import type { ConnectorModule } from '../types';
import { resolveOptions } from '../url';
import { parseServerUrl } from '../sql/server-url';
import { PostgresConnection } from './connection';
import { postgresOptions } from './options';

export const postgresConnector: ConnectorModule = {
  id: 'postgres',
  title: 'PostgreSQL',
  description:
    'A PostgreSQL database through pg: tables, views, queries, keys; bulk reads and writes with COPY; transactional writes (insert, upsert, replace, truncate-insert); an optional read replica.',
  kind: 'database',
  schemes: ['postgres', 'postgresql'],
  options: postgresOptions,
  examples: [
    'postgres://user@127.0.0.1:5432/shop',
    'postgres://user@db.example.com/shop?sslmode=require&statement_timeout=30000&pool=4&replica=replica.example.com:5432',
    'postgresql://etl@localhost/warehouse?schema=staging',
  ],
  async open(config) {
    const url = parseServerUrl(config.url, 'PostgreSQL');
    const o = resolveOptions(postgresOptions, url.query, config.options, 'postgres');
    return PostgresConnection.open(o, config.password ?? url.password);
  },
};
