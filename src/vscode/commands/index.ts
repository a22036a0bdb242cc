import { Commands, type CommandId } from '../constants';
import type { ExtensionServices } from '../services';
import type { Command } from './command';
import { NotYetAvailableCommand } from './notYetAvailable';
import { ShowLogCommand } from './showLog';
import { PreviewContextCommand } from './previewContext';
import { ClearCacheCommand } from './clearCache';
import { SelectModelCommand } from './selectModel';
import { SetApiKeyCommand } from './setApiKey';
import { TestConnectionCommand } from './testConnection';
import { SummarizeCommand } from './summarize';
import { SummarizeLinkedPaperCommand } from './summarizeLinkedPaper';
import { CompareLinkedPapersCommand } from './compareLinkedPapers';
import { ExplainTermCommand } from './explainTerm';
import { AskAboutNoteCommand } from './askAboutNote';
import { DraftSectionCommand } from './draftSection';
import { RunPromptCommand } from './runPrompt';
import { OpenPromptTemplatesCommand } from './openPromptTemplates';
import { CheckGroundingCommand } from './checkGrounding';

/**
 * Every palette command, one file each. Commands not built yet are registered as
 * NotYetAvailableCommand so the palette never shows a command that errors with "not found".
 */
export function createCommands(services: ExtensionServices): Command[] {
  const built: Command[] = [
    new ShowLogCommand(services),
    new PreviewContextCommand(services),
    new ClearCacheCommand(services),
    new SelectModelCommand(services),
    new TestConnectionCommand(services),
    new SetApiKeyCommand(services),
    new SummarizeCommand(services),
    new SummarizeLinkedPaperCommand(services),
    new CompareLinkedPapersCommand(services),
    new ExplainTermCommand(services),
    new AskAboutNoteCommand(services),
    new DraftSectionCommand(services),
    new RunPromptCommand(services),
    new OpenPromptTemplatesCommand(services),
    new CheckGroundingCommand(services),
  ];
  const builtIds = new Set<CommandId>(built.map((c) => c.id));
  const pending = Object.values(Commands).filter((id) => !builtIds.has(id)).map((id) => new NotYetAvailableCommand(id, services));
  return [...built, ...pending];
}
