// The `sluice` executable's entry (bundled into dist/cli.cjs by scripts/build.mjs; bin/sluice.mjs runs it).
import { main } from './main';

// Output piped into a reader that stops early (`sluice runs | head`): the rest is dropped and
// the command finishes its work, rather than dying of an unhandled EPIPE.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  },
);
