/**
 * The engine bundle cuts pdf.js's font compilation out (scripts/pdfjsTextOnly.mjs). These tests check that
 * every patch still matches the installed pdf.js exactly once, and that the patched bundle extracts exactly
 * the text the unpatched library does, on corpus PDFs whose fonts take the patched paths (embedded Type 1,
 * Type 1C / CFF fonts, and TrueType as a control; skipped with a reason when ../shared/corpus is absent).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import * as esbuild from 'esbuild';
import type { EngineModule } from '../../../src/pdf';
import { extractPdfText } from '../../../src/pdf/engine';

const ROOT = join(__dirname, '../../..');
const CORPUS = join(ROOT, '../shared/corpus/pdf');
const WORKER_SOURCE = join(ROOT, 'node_modules/pdfjs-dist/legacy/build/pdf.worker.mjs');

interface PatchModule {
  readonly PDFJS_TEXT_ONLY_PATCHES: ReadonlyArray<readonly [string, string]>;
  readonly applyTextOnlyPatches: (source: string, where?: string) => string;
  readonly pdfjsTextOnly: esbuild.Plugin;
}
const patches = (): Promise<PatchModule> => import(join(ROOT, 'scripts/pdfjsTextOnly.mjs')) as Promise<PatchModule>;

/** The engine bundle built the way esbuild.mjs builds it (patched), into out/ so pdfjs-dist resolves. */
async function buildPatchedEngine(): Promise<EngineModule & { extractPdfText: typeof extractPdfText }> {
  const outDir = join(ROOT, 'out/test-pdfjs-text-only');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'pdfEngine.js');
  await esbuild.build({
    entryPoints: [join(ROOT, 'src/pdf/index.ts')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outfile,
    logLevel: 'silent',
    define: { 'import.meta.url': 'undefined' },
    plugins: [(await patches()).pdfjsTextOnly],
  });
  return createRequire(__filename)(outfile) as EngineModule & { extractPdfText: typeof extractPdfText };
}

suite('pdf.js text-only patches (scripts/pdfjsTextOnly.mjs)', () => {
  test('each patch matches the installed pdf.js worker code exactly once', async () => {
    const { PDFJS_TEXT_ONLY_PATCHES, applyTextOnlyPatches } = await patches();
    const source = readFileSync(WORKER_SOURCE, 'utf8');
    assert.ok(PDFJS_TEXT_ONLY_PATCHES.length >= 2);
    const patched = applyTextOnlyPatches(source);
    for (const [from, to] of PDFJS_TEXT_ONLY_PATCHES) {
      assert.equal(patched.split(from).length - 1, 0, `still present: ${from.trim()}`);
      assert.ok(patched.includes(to));
    }
    // A pdf.js that moved the code fails loudly (the build reports it) instead of silently losing the patch.
    assert.throws(() => applyTextOnlyPatches(source.replace(PDFJS_TEXT_ONLY_PATCHES[0]![0], '')), /expected one match/);
  });

  // Type 1 fonts (LaTeX: S2ORC, PeerJ), Type 1C fonts (BMC, Clinical Science), CID TrueType (PLOS ONE, the review).
  const files = [
    'cs_s2orc_acl2020.pdf',
    'clin_bmc-hsr_2014_quality-improvement-malawi.pdf',
    'genomics_vespa_peerjcs_2017.pdf',
    'biomed_clinsci_2014_ace-inhibitor-fragment-design.pdf',
    'omics_plosone_2018_wheat-heat-stress-metabolomics.pdf',
    'review_deep-review_dl-biology-medicine_v2-2021.pdf',
  ];
  test('the patched bundle extracts the same text as unpatched pdf.js (corpus PDFs with Type 1, CFF and TrueType fonts)', async (t) => {
    const present = files.filter((f) => existsSync(join(CORPUS, f)));
    if (present.length === 0) {
      const reason = `corpus PDFs not found in ${CORPUS}`;
      console.log(`skipped: ${reason}`);
      t.skip(reason);
      return;
    }
    const engine = await buildPatchedEngine();
    for (const file of present) {
      const bytes = readFileSync(join(CORPUS, file));
      const patched = await engine.extractPdfText(new Uint8Array(bytes), { name: file, workers: 1 });
      const original = await extractPdfText(new Uint8Array(bytes), { name: file, workers: 1 });
      assert.ok(patched.characters > 10_000, `${file}: text extracted`);
      assert.deepEqual(patched, original, `${file}: same extraction`);
    }
  });
});
