import type * as vscode from 'vscode';
import type { AssistantConfig, Logger } from '../core';

/** What commands receive: built once in activate(), passed through constructors. */
export interface ExtensionServices {
  readonly context: vscode.ExtensionContext;
  readonly logger: Logger;
  readonly channel: vscode.LogOutputChannel;
  /** A fresh settings snapshot, scoped to `resource` when given. */
  readonly config: (resource?: vscode.Uri) => AssistantConfig;
}
