import * as vscode from 'vscode';

const SCHEME = 'research-assistant';

/**
 * Documents the assistant shows but the user should not edit or be asked to save (Preview Context): a virtual
 * document is read-only in the editor and closes without a "Save changes?" prompt. The text is held until the
 * document closes.
 */
export class ReadOnlyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly subscriptions: vscode.Disposable[];
  private opened = 0;

  constructor() {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((document) => this.texts.delete(document.uri.toString())),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /** Opens `text` as a read-only markdown document named `title` (the tab's name) beside the active editor. */
  async show(title: string, text: string): Promise<vscode.TextDocument> {
    // The query keeps two previews of the same note apart: each shows the text it was opened with.
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${title.replace(/[\\/]/g, '-')}.md`, query: String(++this.opened) });
    this.texts.set(uri.toString(), text);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    return document;
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.texts.clear();
  }
}
