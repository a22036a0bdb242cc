/**
 * The PDF engine as the packaged extension runs it: the built dist/pdfEngine.js, required at run time beside the
 * code that reads sources (src/vscode/adapters/pdfEngine.ts does the same with dist/features.js). Each bundle carries
 * its own copy of the AssistantError class, so these tests prove errors cross the bundle boundary by name and code.
 * `npm test` builds before the unit phase; run alone, this file builds dist/ first when the engine bundle is missing.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { AssistantError, hasErrorCode } from '../../../src/core/errors';
import type { EngineModule } from '../../../src/pdf';
import { corruptPdfs, imageOnlyPdf, pagesPdf } from '../../fixtures/pdf-gen/generate';
import { InMemoryFiles, createReader, note, signal } from '../sources/inMemoryWorkspace';

const ROOT = join(__dirname, '..', '..', '..');
const ENGINE = join(ROOT, 'dist', 'pdfEngine.js');

function loadBuiltEngine(): EngineModule {
  if (!existsSync(ENGINE)) {
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(build.status, 0, 'node esbuild.mjs failed');
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(ENGINE) as { engine: EngineModule }).engine;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected the extraction to fail'),
    (error: unknown) => error,
  );
}

suite('PDF engine bundle (dist/pdfEngine.js, loaded as the extension loads it)', () => {
  const engine = loadBuiltEngine();

  test('an image-only PDF fails with the "no text layer" code, though the error class is the bundle’s own', async () => {
    const error = await rejection(engine.pdf.extract(await imageOnlyPdf(), { name: 'scan.pdf' }));
    // The premise: were the classes the same, this file would not test the boundary at all.
    assert.notEqual((error as { constructor?: unknown }).constructor, AssistantError, 'the bundle has its own AssistantError');
    assert.ok(hasErrorCode(error, 'SourceUnreadable'), `not a SourceUnreadable AssistantError: ${String(error)}`);
    assert.equal(error.data['reason'], 'imageOnly');
    assert.match(error.message, /^scan\.pdf: .*no text layer/);
  });

  test('a corrupt PDF fails with the "corrupt" reason', async () => {
    const error = await rejection(engine.pdf.extract(corruptPdfs().garbage, { name: 'bad.pdf' }));
    assert.ok(hasErrorCode(error, 'SourceUnreadable'), `not a SourceUnreadable AssistantError: ${String(error)}`);
    assert.equal(error.data['reason'], 'corrupt');
    assert.match(error.message, /^bad\.pdf: not a readable PDF/);
  });

  test('the source reader reports an image-only PDF as "no text" and a corrupt one as "unreadable"', async () => {
    const fs = new InMemoryFiles({
      'scan.pdf': await imageOnlyPdf(),
      'bad.pdf': corruptPdfs().truncated,
      'good.pdf': await pagesPdf(1),
      'index.md': '',
    });
    const { reader } = createReader(fs, { pdf: engine.pdf });
    const result = await reader.collect(note('index.md', '[[scan.pdf]] [[bad.pdf]] [[good.pdf]]'), { signal });
    assert.deepEqual(
      result.sources.map((s) => [s.id, s.status]),
      [
        ['scan.pdf', 'noText'],
        ['bad.pdf', 'unreadable'],
        ['good.pdf', 'ok'],
      ],
    );
    assert.match(result.sources[0]?.statusDetail ?? '', /scan\.pdf: .*no text layer/);
    assert.match(result.sources[1]?.statusDetail ?? '', /bad\.pdf: not a readable PDF/);
    assert.match(result.sources[2]?.text ?? '', /page number 1/);
  });
});
