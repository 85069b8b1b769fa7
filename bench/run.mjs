// `npm run bench [-- suite...] [--runs N] [--quick]`: runs the benchmark suites and prints
// their tables. Suites: csv (issue 2), jobs (issue 4: batch workers, full-diff sync). Reference tools are installed from Debian's packages.
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const quick = args.includes('--quick');
const suites = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs');
const all = ['csv', 'ui', 'migrate', 'jobs'];
for (const name of suites.length ? suites : all) {
  if (!all.includes(name)) {
    console.error(`unknown suite '${name}'; suites: ${all.join(', ')}`);
    process.exit(2);
  }
  const suite = await import(`./${name}.mjs`);
  await suite.run({ runs: quick ? 1 : runs, big: !quick });
}
