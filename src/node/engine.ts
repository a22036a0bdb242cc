/**
 * The PDF engine and the BibTeX parser on Node: the same engine module the extension loads (pdf.js with its
 * warm pool of worker threads, src/pdf/parallel.ts), loaded on first use.
 *
 * It is loaded from a separate file, never imported statically: the pool's workers run the file that holds
 * the pool, so bundled into a CLI they would run the CLI's own entry. Bundled hosts ship dist/pdfEngine.js
 * beside their bundle; run from source (tsx) the engine's TypeScript entry is used.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BibEntry, BibtexParser, PdfExtraction, PdfExtractOptions, PdfTextExtractor } from '../core';
import type { EngineModule } from '../pdf';

/** Where the engine is: `dist/pdfEngine.js` beside a bundled host, else the source entry (under tsx). */
export function defaultEngineFile(): string {
  const bundled = join(__dirname, 'pdfEngine.js');
  return existsSync(bundled) ? bundled : join(__dirname, '..', 'pdf', 'index.ts');
}

/** Requires an engine file (a built dist/pdfEngine.js, or src/pdf/index.ts under tsx). */
export function loadEngineModule(file: string = defaultEngineFile()): EngineModule {
  return (createRequire(__filename)(file) as { engine: EngineModule }).engine;
}

/**
 * The engine's two ports, loading the engine on the first PDF or bibliography: a run that reads neither never
 * evaluates pdf.js (about 2 MB).
 */
export class NodeEngine implements PdfTextExtractor, BibtexParser {
  private module: EngineModule | undefined;

  constructor(private readonly file: string = defaultEngineFile()) {}

  get engine(): EngineModule {
    this.module ??= loadEngineModule(this.file);
    return this.module;
  }

  extract(bytes: Uint8Array, options: PdfExtractOptions): Promise<PdfExtraction> {
    return this.engine.pdf.extract(bytes, options);
  }

  async prewarm(samples?: readonly Uint8Array[]): Promise<void> {
    await this.engine.pdf.prewarm?.(samples);
  }

  parse(text: string): Promise<readonly BibEntry[]> {
    return this.engine.bibtex.parse(text);
  }
}
