import { Command, CommanderError, Option } from 'commander';
import { EXIT, processIo, UsageError, type Io } from './io';

// Each command's module is imported when that command runs. Bundled, a module reached only
// through import() is evaluated on first use, so `sluice run` no longer builds the zod
// schemas of the host's API, migrations and syncs at start-up (measured ~10 ms of ~0.3 s).
const commands = {
  export: () => import('./commands/export'),
  help: () => import('./commands/help'),
  history: () => import('./commands/history'),
  inspect: () => import('./commands/inspect'),
  migrate: () => import('./commands/migrate'),
  run: () => import('./commands/run'),
  serve: () => import('./commands/serve'),
  sync: () => import('./commands/sync'),
  validate: () => import('./commands/validate'),
};

const collect = (v: string, prev: string[]) => [...prev, v];

const EXIT_CODES = `
Exit codes:
  0    success
  1    the run failed (a node or a connection failed)
  2    bad usage, or the pipeline is invalid (every problem is listed)
  3    the run succeeded but rows were rejected
  130  interrupted (Ctrl-C); sinks committed nothing`;

/** Builds the `sluice` command; `exit` receives the exit code of the command that ran. */
export function buildCli(io: Io, exit: (code: number) => void): Command {
  const program = new Command('sluice')
    .description('Sluice: run, check and inspect data pipelines headless.')
    .version('0.1.0')
    .showHelpAfterError()
    .addHelpText('after', EXIT_CODES)
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();

  const done = (p: Promise<number> | number) => Promise.resolve(p).then(exit);

  program
    .command('run')
    .description('Run a pipeline: a progress line on a terminal, a summary table at the end.')
    .argument('<pipeline>', 'a pipeline file (.yaml, .yml or .json)')
    .option('-p, --param <name=value>', 'set a parameter (repeatable)', collect, [])
    .option('--store <path>', 'record the run in this workbench store (default: $SLUICE_HOME/workbench.db or the user data folder)')
    .option('--no-store', 'do not record the run')
    .option('--json', 'print the result as JSON')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--workers <n>', 'run as a batch job: split the input into chunks and process them on n worker threads (default: one thread, no split)')
    .option('--chunks <n>', 'with --workers: how many chunks (default 16 per worker)')
    .option('--retries <n>', 'with --workers: how often a failed chunk is tried again (default 2)')
    .addHelpText('after', EXIT_CODES)
    .action((file: string, flags) => done(commands.run().then((m) => m.runCommand(file, flags, io))));

  program
    .command('sync')
    .description('Run a sync definition (kind: sync) once: find the changes, queue them durably, apply them to the target.')
    .argument('<sync-definition>', 'a sync file (.yaml, .yml or .json)')
    .option('--store <path>', 'the workbench store that keeps the sync\'s state (default: $SLUICE_HOME/workbench.db or the user data folder)')
    .option('--reset', 'forget the sync\'s state first (high-water mark, base hashes, queue): a full resync')
    .option('--rehash', 'full diff between PostgreSQL tables: hash every row, not trusting the row-version cache (which is written afresh)')
    .option('-v, --verbose', 'print the run\'s log lines on stderr as they happen')
    .option('--json', 'print the result as JSON')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText('after', EXIT_CODES)
    .action((file: string, flags) => done(commands.sync().then((m) => m.syncCommand(file, flags, io))));

  program
    .command('runs')
    .description('List recorded runs (pipelines, syncs, batch jobs, migrations), newest first.')
    .option('--limit <n>', 'how many', '20')
    .option('--kind <kind>', 'only runs of this kind (pipeline, sync, batch, migration)')
    .option('--status <status>', 'only runs with this status (queued, running, succeeded, failed, cancelled)')
    .option('--store <path>', 'the workbench store (default: $SLUICE_HOME/workbench.db or the user data folder)')
    .option('--json', 'print as JSON')
    .action((flags) => done(commands.history().then((m) => m.runsCommand(flags, io))));

  program
    .command('logs')
    .description("Print a run's structured log (also after its process has ended).")
    .argument('<run-id>', 'a run id from `sluice runs` (a unique start of it is enough)')
    .option('--level <level>', 'only lines at this level or above: debug, info, warn, error')
    .option('--store <path>', 'the workbench store (default: $SLUICE_HOME/workbench.db or the user data folder)')
    .option('--json', 'print the lines as NDJSON')
    .action((id: string, flags) => done(commands.history().then((m) => m.logsCommand(id, flags, io))));

  program
    .command('validate')
    .description('Check a pipeline and list every problem (types, configs, edges, cycles, expressions, connections).')
    .argument('<pipeline>')
    .option('--json', 'print problems and the inferred schemas as JSON')
    .action((file: string, flags) => done(commands.validate().then((m) => m.validateCommand(file, flags, io))));

  program
    .command('preview')
    .description("Show the first rows at a node (sinks write nothing; sources are sampled).")
    .argument('<pipeline>')
    .requiredOption('--node <id>', 'the node to look at')
    .option('--limit <n>', 'rows to show', '20')
    .option('-p, --param <name=value>', 'set a parameter (repeatable)', collect, [])
    .option('--json', 'print columns and rows as JSON')
    .action((file: string, flags) => done(commands.run().then((m) => m.previewCommand(file, flags, io))));

  program
    .command('inspect')
    .description('List the tables of a connection, or describe one (columns, types, keys, indexes).')
    .argument('<connection-url>', 'e.g. sqlite:./shop.db, csv:./orders.csv, postgres://user@host/db')
    .option('--table <name>', 'describe this table')
    .option('--json', 'print as JSON')
    .action((url: string, flags) => done(commands.inspect().then((m) => m.inspectCommand(url, flags, io))));

  program
    .command('migrate')
    .description('Copy tables between SQLite, PostgreSQL and MySQL/MariaDB: plan (type mapping, foreign-key order), create, load in checkpointed chunks, then indexes, foreign keys and sequences; resume, verify.')
    .option('--from <url>', 'the source database (a URL such as sqlite:./shop.db or postgres://user@host/db)')
    .option('--to <url>', 'the target database')
    .option('--tables <a,b>', 'migrate only these tables (default: all)')
    .option('--views', 'copy views as tables too')
    .option('--dry-run', 'print the plan (DDL, type changes with warnings, row counts) and change nothing')
    .option('--if-exists <policy>', 'a target table that exists: fail (default), truncate, append or upsert')
    .option('--type-rule <rule>', "override a type mapping, e.g. 'sqlite NUMERIC -> postgres numeric(12,2)' (repeatable)", collect, [])
    .option('--on-error <mode>', 'a row the target cannot hold: stop (default) or reject (record it with its reason and go on)')
    .option('--resume <run-id>', 'continue a cancelled or interrupted migration from its checkpoints')
    .option('--verify', 'after the load, compare row counts and checksums of every table on both sides')
    .option('--verify-only', 'only compare source and target (with --resume: the tables of that run)')
    .option('--chunk-rows <n>', 'rows per transaction and checkpoint (default 50000)')
    .option('--store <path>', 'keep checkpoints in this workbench store (default: $SLUICE_HOME/workbench.db or the user data folder)')
    .option('--no-store', 'keep checkpoints in memory only (the migration cannot be resumed)')
    .option('--json', 'print the report (or, with --dry-run, the plan) as JSON')
    .option('-q, --quiet', 'print nothing but errors')
    .addHelpText('after', EXIT_CODES)
    .action((flags) => done(commands.migrate().then((m) => m.migrateCommand(flags, io))));

  program
    .command('export')
    .description('Write a pipeline in canonical JSON or YAML (stable key order; secrets stay ${env:…} references).')
    .argument('<pipeline>')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'yaml']).makeOptionMandatory())
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((file: string, flags) => done(commands.export().then((m) => m.exportCommand(file, flags, io))));

  program
    .command('serve')
    .description('Serve the workbench to a browser on this machine (127.0.0.1, with a session token in the URL).')
    .option('--port <n>', 'listen on this port (default: a free one)')
    .option('--workspace <folder>', 'open this folder instead of the default workspace ($SLUICE_HOME/workspace)')
    .option('--json', 'print the URL as one JSON line')
    .action((flags) => done(commands.serve().then((m) => m.serveCommand(flags, io))));

  program
    .command('schema')
    .description('Print the JSON Schema of pipeline documents, or of sync definitions (for editor autocompletion).')
    .option('--kind <kind>', 'pipeline (default) or sync')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action((flags) => done(commands.help().then((m) => m.schemaCommand(flags, io))));

  program
    .command('nodes')
    .description('List the node types, or show one with its configuration fields.')
    .argument('[type]')
    .action((type?: string) => done(commands.help().then((m) => m.nodesCommand(type, io))));

  program
    .command('connectors')
    .description('List the connectors, or show one with its URL forms and options.')
    .argument('[id]')
    .action((id?: string) => done(commands.help().then((m) => m.connectorsCommand(id, io))));

  return program;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildCli(io, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    if (e instanceof UsageError) {
      io.err(`error: ${e.message}`);
      return EXIT.invalid;
    }
    io.err(`error: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.SLUICE_DEBUG && e instanceof Error) io.err(e.stack ?? '');
    return EXIT.failed;
  }
}
