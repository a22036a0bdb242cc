import type { ExtensionServices } from '../services';
import type { Command } from './command';
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
import { ReadPapersInFolderCommand } from './readPapersInFolder';
import { AskLibraryCommand } from './askLibrary';
import { FindRelatedPapersCommand } from './findRelatedPapers';
import { LibraryStatusCommand } from './libraryStatus';

/** Every palette command, one file each (extension.ts registers every id in `Commands` and dispatches here). */
export function createCommands(services: ExtensionServices): Command[] {
  return [
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
    new ReadPapersInFolderCommand(services),
    new AskLibraryCommand(services),
    new FindRelatedPapersCommand(services),
    new LibraryStatusCommand(services),
  ];
}
