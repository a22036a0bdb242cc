// The text-only patches of pdf.js's worker code for the PDF engine bundle (see PDFJS_TEXT_ONLY_PATCHES).
import { readFileSync } from 'node:fs';

/**
 * pdf.js builds a complete OpenType font from every embedded font so that a canvas can draw it: it compiles
 * Type1 and CFF programs byte by byte, 10–15% of the CPU time of extracting a LaTeX paper (profiled on the
 * corpus). TrueType's outline repair stays: the glyphs it finds missing keep the font's character map small
 * (skipping it made subset CID fonts slower). The engine only reads text: glyph → Unicode comes from the parsed font
 * and the PDF's encodings, never from the rebuilt font, which feeds only a font face the engine never
 * creates (disableFontFace). So these steps are cut out of the bundle. Each replacement must match exactly
 * once: a pdf.js update that moves the code fails the build instead of silently losing the speed-up. Text
 * is compared with the unpatched library in test/unit/pdf/textOnlyPatch.test.ts.
 */
export const PDFJS_TEXT_ONLY_PATCHES = [
  // CFFFont (Type1C / CIDFontType0C): keep the file's own CFF bytes instead of recompiling them.
  ['      this.data = compiler.compile();', '      this.data = file;'],
  // Type1Font: skip wrapping the converted charstrings into a compiled CFF font.
  ['    this.data = this.wrap(name, type2Charstrings, this.charstrings, subrs, properties);', '    this.data = new Uint8Array(0);'],
];

/** The source with every patch applied; throws when a patch does not match exactly once. */
export function applyTextOnlyPatches(source, where = 'pdf.worker.mjs') {
  let contents = source;
  for (const [from, to] of PDFJS_TEXT_ONLY_PATCHES) {
    const count = contents.split(from).length - 1;
    if (count !== 1) throw new Error(`pdfjs-text-only: expected one match of ${JSON.stringify(from.trim())} in ${where}, found ${count}`);
    contents = contents.replace(from, to);
  }
  return contents;
}

/** esbuild plugin applying the patches to pdf.js's worker code as it is bundled (esbuild.mjs, the engine bundle). */
export const pdfjsTextOnly = {
  name: 'pdfjs-text-only',
  setup(build) {
    build.onLoad({ filter: /pdfjs-dist[\\/]legacy[\\/]build[\\/]pdf\.worker\.mjs$/ }, ({ path }) => {
      try {
        return { contents: applyTextOnlyPatches(readFileSync(path, 'utf8'), path), loader: 'js' };
      } catch (error) {
        return { errors: [{ text: error.message }] };
      }
    });
  },
};
