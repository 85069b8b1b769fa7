import type { ConnectorModule } from '../types';
import { resolveOptions } from '../url';
import { parseServerUrl } from '../sql/server-url';
import { MysqlConnection } from './connection';
import { mysqlOptions } from './options';

export const mysqlConnector: ConnectorModule = {
  id: 'mysql',
  title: 'MySQL / MariaDB',
  description:
    'A MySQL or MariaDB database through mysql2: tables, views, queries, keys; streaming reads; bulk writes with LOAD DATA LOCAL INFILE (or multi-row INSERTs) in transactions; an optional read replica.',
  kind: 'database',
  schemes: ['mysql', 'mariadb'],
  options: mysqlOptions,
  examples: ['mysql://root@127.0.0.1:3306/test', 'mariadb://etl@db.example.com/shop?sslmode=require&pool=8', 'mysql://app@primary.example.com/shop?replica=replica.example.com:3306'],
  async open(config) {
    const url = parseServerUrl(config.url, 'MySQL');
    const o = resolveOptions(mysqlOptions, url.query, config.options, 'mysql');
    return MysqlConnection.open(o, config.password ?? url.password, url.scheme === 'mariadb' ? 'MariaDB' : 'MySQL');
  },
};
