// Process-level tests of the command-line tool: test/cli/*.test.ts run the BUILT dist/cli.js in child processes
// against the fake model servers (exit codes, stdout/stderr, --write, Ctrl-C, settings). Builds first, unless
// --no-build (npm test's build phase has just built). Writes counts to test-results/cli.json.
// usage: node scripts/test-cli.mjs [--no-build] [file-filter…]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const filters = args.filter((a) => a !== '--no-build');

if (build) {
  const built = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0) {
    console.error('test:cli: the build failed');
    process.exit(1);
  }
}
const run = spawnSync(process.execPath, ['scripts/test-unit.mjs', '--dir', 'test/cli', '--result', 'cli', ...filters], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
