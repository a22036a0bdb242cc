import { promises as fsp } from 'node:fs';
import * as vscode from 'vscode';
import { isMissing } from '../../node/files';
import { AssistantError, type FileReader, type FileStamp, type WorkspaceIndex } from '../../core';

function checkAbort(signal: AbortSignal): void {
  if (signal.aborted) throw new AssistantError('Cancelled', 'Cancelled');
}

/**
 * FileReader over workspace.fs (works for remote and virtual workspaces). Only `stat` of a file: URI uses node:fs, for
 * the status change time workspace.fs does not report (its ctime is the creation time); the extension host runs
 * where those files are, also in a remote window.
 */
export class VsCodeFileReader implements FileReader {
  async readBytes(uri: string, signal: AbortSignal): Promise<Uint8Array> {
    checkAbort(signal);
    return vscode.workspace.fs.readFile(vscode.Uri.parse(uri, true));
  }

  async readText(uri: string, signal: AbortSignal): Promise<string> {
    // An open editor may hold unsaved edits of a linked note: prefer them over the file on disk (not read at all).
    const wanted = vscode.Uri.parse(uri, true).toString();
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === wanted);
    if (open) {
      checkAbort(signal);
      return open.getText();
    }
    return new TextDecoder('utf-8').decode(await this.readBytes(uri, signal));
  }

  async stat(uri: string, signal: AbortSignal): Promise<FileStamp | undefined> {
    checkAbort(signal);
    const parsed = vscode.Uri.parse(uri, true);
    if (parsed.scheme === 'file') {
      try {
        const s = await fsp.stat(parsed.fsPath);
        // mtime as workspace.fs gives it (whole ms), so stamps stored before this change still match.
        return s.isFile() ? { size: s.size, mtime: s.mtime.getTime(), ctime: s.ctimeMs } : undefined;
      } catch (error) {
        if (isMissing(error)) return undefined;
        // Anything else (a permission error…): ask workspace.fs, which reports it its own way.
      }
    }
    try {
      const stat = await vscode.workspace.fs.stat(parsed);
      if (stat.type & vscode.FileType.Directory) return undefined;
      return { size: stat.size, mtime: stat.mtime };
    } catch (error) {
      if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return undefined;
      throw error;
    }
  }
}

const LINKABLE = '**/*.{md,markdown,pdf,txt,tex,html,htm,bib,json}';
const EXCLUDE = '{**/node_modules/**,**/.git/**,**/.obsidian/**}';

/**
 * Workspace folders and the linkable files in them; the file list is cached until files are created or deleted
 * (or a fresh listing is asked for).
 */
export class VsCodeWorkspaceIndex implements WorkspaceIndex, vscode.Disposable {
  private cached: Promise<readonly string[]> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(LINKABLE, false, true, false);
    const reset = (): void => {
      this.cached = undefined;
    };
    this.disposables.push(
      watcher,
      watcher.onDidCreate(reset),
      watcher.onDidDelete(reset),
      vscode.workspace.onDidChangeWorkspaceFolders(reset),
    );
  }

  folders(): readonly string[] {
    return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString().replace(/\/+$/, ''));
  }

  files(signal: AbortSignal, options?: { readonly fresh?: boolean }): Promise<readonly string[]> {
    checkAbort(signal);
    // The watcher reports a created file some time after it is written; a fresh listing does not wait for it.
    if (options?.fresh) this.cached = undefined;
    this.cached ??= Promise.resolve(vscode.workspace.findFiles(LINKABLE, EXCLUDE)).then((uris) => uris.map((u) => u.toString()));
    return this.cached;
  }

  excluded(): readonly string[] {
    // `files.exclude` maps globs to true, false or a `when` clause on siblings; the plain `true` ones exclude.
    const patterns = vscode.workspace.getConfiguration('files').get<Record<string, unknown>>('exclude') ?? {};
    return Object.entries(patterns)
      .filter(([, on]) => on === true)
      .map(([glob]) => glob);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
