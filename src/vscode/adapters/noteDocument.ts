import type * as vscode from 'vscode';
import type { NoteDocument } from '../../core';

/** The VS Code document as the core's minimal NoteDocument. */
export function toNoteDocument(document: vscode.TextDocument): NoteDocument {
  return { uri: document.uri.toString(), version: document.version, languageId: document.languageId, getText: () => document.getText() };
}

/** The VS Code document as the core's NoteDocument, its version read live (a check notices edits made meanwhile). */
export function liveNoteDocument(document: vscode.TextDocument): NoteDocument {
  return {
    uri: document.uri.toString(),
    languageId: document.languageId,
    getText: () => document.getText(),
    get version() {
      return document.version;
    },
  };
}
