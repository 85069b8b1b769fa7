import type { Dialect } from '../connectors/types';

/** Quotes an identifier for a dialect; embedded quote characters are doubled. */
export function quoteIdent(name: string, dialect: Dialect): string {
  if (dialect === 'mysql') return '`' + name.replaceAll('`', '``') + '`';
  return '"' + name.replaceAll('"', '""') + '"';
}

/** Quotes a possibly schema-qualified table name. */
export function quoteTable(table: { name: string; schema?: string }, dialect: Dialect): string {
  return table.schema ? `${quoteIdent(table.schema, dialect)}.${quoteIdent(table.name, dialect)}` : quoteIdent(table.name, dialect);
}

/** A SQL string literal; only for DDL text where parameters cannot be used (defaults, comments). */
export function quoteString(text: string, dialect: Dialect): string {
  const escaped = text.replaceAll("'", "''");
  return dialect === 'mysql' ? `'${escaped.replaceAll('\\', '\\\\')}'` : `'${escaped}'`;
}
