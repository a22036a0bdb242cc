/**
 * Entry loaded by the extension host (`extensionTestsPath`): runs every bundled *.test.js beside it with
 * mocha (tdd ui). The host turns a rejected run() into a non-zero exit code, which the harness returns.
 * Environment (set by scripts/test-integration.mjs, inherited through code-server):
 *   RA_TEST_RESULT_FILE  where to write {passed, failed, pending} for the `npm test` summary
 *   RA_TEST_GREP         only run tests whose full title matches this pattern
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(full));
    else if (entry.name.endsWith('.test.js')) out.push(full);
  }
  return out.sort();
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30_000, reporter: 'spec' });
  const grep = process.env.RA_TEST_GREP;
  if (grep) mocha.grep(new RegExp(grep));
  for (const file of findTests(__dirname)) mocha.addFile(file);
  const resultFile = process.env.RA_TEST_RESULT_FILE;

  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const stats = runner.stats;
        const summary = { passed: stats?.passes ?? 0, failed: failures, pending: stats?.pending ?? 0 };
        console.log(`[integration] summary ${JSON.stringify(summary)}`);
        if (resultFile) fs.writeFileSync(resultFile, JSON.stringify(summary));
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
    } catch (error) {
      // a test file that throws while loading (bad import, syntax) is a failure, not a silent empty run
      if (resultFile) fs.writeFileSync(resultFile, JSON.stringify({ passed: 0, failed: 1, pending: 0, loadError: String(error) }));
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
