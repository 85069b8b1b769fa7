import { DATE_FUNCTIONS } from './date';
import { NULL_FUNCTIONS } from './null';
import { NUMBER_FUNCTIONS } from './number';
import { STRING_FUNCTIONS } from './string';
import type { FunctionDef, FunctionDoc } from './types';

const ALL: FunctionDef[] = [...STRING_FUNCTIONS, ...NUMBER_FUNCTIONS, ...DATE_FUNCTIONS, ...NULL_FUNCTIONS];

const BY_NAME = new Map<string, FunctionDef>();
for (const f of ALL) {
  for (const n of [f.name, ...(f.aliases ?? [])]) {
    if (BY_NAME.has(n)) throw new Error(`expression function '${n}' is defined twice`);
    BY_NAME.set(n, f);
  }
}

export function lookupFunction(name: string): FunctionDef | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Every name and alias, for "did you mean" and editor completion. */
export function functionNames(): string[] {
  return [...BY_NAME.keys()];
}

/** The function library as documentation data (the UI, the CLI and docs/expressions.md use it). */
export const FUNCTIONS: ReadonlyArray<FunctionDoc> = ALL.map((f) => ({
  name: f.name,
  category: f.category,
  signature: f.signature,
  returns: f.returns,
  description: f.description + (f.aliases?.length ? ` Also spelled: ${f.aliases.join(', ')}.` : ''),
  example: f.example,
}));
