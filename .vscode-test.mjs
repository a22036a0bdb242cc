// The desktop route (@vscode/test-electron), for machines with internet: scripts/test-electron.mjs reads this.
// The shape follows @vscode/test-cli's config, so `npx @vscode/test-cli` can use it too once installed.
// Offline machines and CI use the code-server harness instead: npm run test:integration.
export default {
  label: 'integration',
  // the same bundled mocha suite the code-server harness runs (node scripts/build-tests.mjs)
  files: 'out/test/integration/**/*.test.js',
  entry: 'out/test/integration/index.js',
  workspaceFolder: 'test/fixtures/workspace',
  // pinned: the VS Code the code-server harness runs (code-server 4.100.3 = VS Code 1.100.3)
  version: '1.100.3',
  mocha: { ui: 'tdd', timeout: 30000 },
  launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
};
