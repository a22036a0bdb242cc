/** The inserting tasks by id. */
import { askTask } from './ask';
import { askLibraryTask } from './askLibrary';
import { compareTask } from './compare';
import { draftTask } from './draft';
import { explainTermTask } from './explainTerm';
import { runPromptTask } from './runPrompt';
import { summarizeTask } from './summarize';
import { summarizePaperTask } from './summarizePaper';
import type { TaskDescriptor, TaskId } from './task';

export const TASKS: Readonly<Record<TaskId, TaskDescriptor>> = {
  summarize: summarizeTask,
  summarizePaper: summarizePaperTask,
  compare: compareTask,
  explainTerm: explainTermTask,
  ask: askTask,
  draft: draftTask,
  runPrompt: runPromptTask,
  askLibrary: askLibraryTask,
};
