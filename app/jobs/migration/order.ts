/**
 * Load order by foreign keys: a referenced table before the tables that refer to it, so
 * an existing target that enforces its keys (append, upsert) accepts the rows. Ties keep
 * the given order (the source's listing, by name), so plans are stable.
 *
 * Cycles (a -> b -> a, longer rings) have no such order. The tables of a cycle are placed
 * together, the one with the fewest unmet references first, and the cycle is reported.
 * Foreign keys are created after every table is loaded anyway (plan.ts), so a cycle does
 * not stop a migration into new tables; a self-reference (employee.reports_to) is no
 * cycle for ordering purposes.
 */

export interface TableEdges {
  name: string;
  /** Tables this one refers to (its foreign keys' targets). */
  refersTo: string[];
}

export interface LoadOrder {
  order: string[];
  /** Each cycle's tables, in load order. */
  cycles: string[][];
}

export function loadOrder(tables: readonly TableEdges[]): LoadOrder {
  const names = tables.map((t) => t.name);
  const known = new Set(names);
  const position = new Map(names.map((n, i) => [n, i]));
  // Unmet references per table, only to other tables of the migration.
  const deps = new Map<string, Set<string>>();
  const dependents = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  for (const t of tables) {
    const d = new Set(t.refersTo.filter((r) => r !== t.name && known.has(r)));
    deps.set(t.name, d);
    for (const r of d) dependents.get(r)!.add(t.name);
  }
  const order: string[] = [];
  const done = new Set<string>();
  const cycles: string[][] = [];
  const byPosition = (a: string, b: string) => position.get(a)! - position.get(b)!;
  const place = (n: string) => {
    order.push(n);
    done.add(n);
    for (const d of dependents.get(n)!) deps.get(d)!.delete(n);
  };
  while (order.length < names.length) {
    const ready = names.filter((n) => !done.has(n) && deps.get(n)!.size === 0);
    if (ready.length > 0) {
      place(ready.sort(byPosition)[0]);
      continue;
    }
    // Every remaining table waits for another: a cycle. Place the first cycle that waits
    // for nothing outside itself, whole: its tables with the fewest unmet references first.
    const cycle = sinkCycle(names.filter((n) => !done.has(n)), deps);
    const placed: string[] = [];
    while (placed.length < cycle.length) {
      const rest = cycle.filter((n) => !done.has(n));
      rest.sort((a, b) => deps.get(a)!.size - deps.get(b)!.size || byPosition(a, b));
      place(rest[0]);
      placed.push(rest[0]);
    }
    cycles.push(placed);
  }
  return { order, cycles };
}

/**
 * A strongly connected component (Tarjan) of the remaining tables with no unmet reference
 * outside itself. Tarjan emits components dependencies first, so the first one emitted is
 * such a sink; every remaining table has an unmet reference, so it has several tables.
 */
function sinkCycle(remaining: string[], deps: Map<string, Set<string>>): string[] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  let found: string[] | undefined;
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of deps.get(v)!) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        c.push(w);
      } while (w !== v);
      found ??= c;
    }
  };
  for (const v of remaining) if (!idx.has(v)) visit(v);
  return found!;
}
