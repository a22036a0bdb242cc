#!/usr/bin/env node
// `research-assistant`: runs the bundled command-line tool, dist/cli.js. A package from `npm pack` ships it built
// (the prepack script); in a clone of the repository the first run builds it, so `npm install` then
// `npx research-assistant …` works without a separate build step (`npm run build` refreshes it after changes).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli) && existsSync(join(root, 'esbuild.mjs'))) {
  process.stderr.write('research-assistant: building the command-line tool (first run in this clone)…\n');
  const built = spawnSync(process.execPath, [join(root, 'esbuild.mjs'), '--production'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) {
    process.stderr.write('research-assistant: the build failed; run `npm install`, then `npm run build`\n');
    process.exit(1);
  }
}
require(cli);
