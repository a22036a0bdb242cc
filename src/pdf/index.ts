/**
 * Entry of the lazily loaded engine bundle (dist/pdfEngine.js): pdf.js and the BibTeX parser, together
 * ~2 MB that activation never loads. The extension requires it on first use (src/vscode/adapters/pdfEngine.ts).
 */
import type { BibtexParser } from '../core/sources/bibliography';
import type { PdfTextExtractor } from '../core/sources/readers/pdf';
import { bibtexParserOffMainThread } from './bibtexWorker';
import { extractPdfText, prewarmPool } from './engine';

export interface EngineModule {
  readonly pdf: PdfTextExtractor;
  readonly bibtex: BibtexParser;
}

export const engine: EngineModule = {
  // In the extension host pdf.js runs on worker threads only, so typing never waits for a PDF.
  pdf: { extract: (bytes, options) => extractPdfText(bytes, { ...options, offMainThread: true }), prewarm: prewarmPool },
  // A large Zotero export takes seconds to parse: on a worker thread too, for the same reason.
  bibtex: bibtexParserOffMainThread,
};

export { extractPdfText, readPdfItems } from './engine';
