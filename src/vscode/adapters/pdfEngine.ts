import * as vscode from 'vscode';
import type { EngineModule } from '../../pdf';

let loaded: EngineModule | undefined;

/**
 * Loads dist/pdfEngine.js (pdf.js + BibTeX parser) on first use, so activation stays small and fast
 * (the bundle without the PDF engine has a 1.5 MB budget).
 */
export function loadEngine(context: vscode.ExtensionContext): Promise<EngineModule> {
  if (!loaded) {
    const file = vscode.Uri.joinPath(context.extensionUri, 'dist', 'pdfEngine.js').fsPath;
    // A runtime require of a computed path: esbuild leaves it alone, so pdf.js stays out of extension.js.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = (require(file) as { engine: EngineModule }).engine;
  }
  return Promise.resolve(loaded);
}
