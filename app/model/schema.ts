import type { LogicalType } from './types';

export interface Column {
  name: string;
  type: LogicalType;
  /** False only when the column is known never to hold NULL. */
  nullable: boolean;
}

/** The columns of a stream of rows, in row order. */
export interface Schema {
  columns: Column[];
  /** Column names of a key that identifies a row, when one is known (a table's primary key). */
  key?: string[];
}

export function columnIndex(schema: Schema, name: string): number {
  return schema.columns.findIndex((c) => c.name === name);
}

export function columnNames(schema: Schema): string[] {
  return schema.columns.map((c) => c.name);
}

export function col(name: string, type: LogicalType, nullable = true): Column {
  return { name, type, nullable };
}
