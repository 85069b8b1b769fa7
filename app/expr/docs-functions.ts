/**
 * Prints the "Functions" tables of docs/expressions.md from FUNCTIONS, so the reference never
 * drifts from the code: npx tsx app/expr/docs-functions.ts (functions.test.ts checks it).
 */
import { FUNCTIONS } from './functions/index';
import type { FunctionCategory } from './functions/types';

const SECTIONS: [FunctionCategory, string][] = [
  ['string', 'Text'],
  ['number', 'Numbers'],
  ['date', 'Dates and times'],
  ['null', 'NULL handling'],
  ['logic', 'Conditions and checks'],
  ['other', 'Other'],
];

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function functionReference(): string {
  const out: string[] = [];
  for (const [category, title] of SECTIONS) {
    out.push(`### ${title}`, '', '| Function | Returns | What it does | Example |', '|---|---|---|---|');
    for (const f of FUNCTIONS.filter((x) => x.category === category)) {
      out.push(`| \`${cell(f.signature)}\` | ${cell(f.returns)} | ${cell(f.description)} | \`${cell(f.example)}\` |`);
    }
    out.push('');
  }
  return out.join('\n');
}

if (process.argv[1]?.endsWith('docs-functions.ts')) console.log(functionReference());
