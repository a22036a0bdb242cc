import * as vscode from 'vscode';
import type { ServerPresentation } from '../../core';

/** Below this the summaries of a paper or two no longer fit: show a warning. */
export const LOW_CONTEXT_TOKENS = 16_384;

/**
 * How to raise the usable context on this server. The core states it in English; the bundle translates it by that
 * text (the keys in l10n/bundle.l10n*.json are these sentences). Only types come from the core: the status bar
 * uses this at activation, which must not load the core's libraries.
 */
export function raiseContextHint(server: ServerPresentation): string {
  return vscode.l10n.t(server.contextAdvice);
}
