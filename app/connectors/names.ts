/** Column names made unique and non-empty: blanks become columnN, repeats get _2, _3, ... */
export function uniqueNames(names: readonly (string | null)[]): string[] {
  const seen = new Set<string>();
  return names.map((f, i) => {
    let name = f === null || f === '' ? `column${i + 1}` : f;
    if (seen.has(name)) {
      let k = 2;
      while (seen.has(`${name}_${k}`)) k++;
      name = `${name}_${k}`;
    }
    seen.add(name);
    return name;
  });
}
