/**
 * Command ids and the configuration section: the one place they are spelled.
 * test/integration/manifest.test.ts checks these against package.json.
 */
export const EXTENSION_ID = 'local-research-assistant.local-research-assistant';
export const CONFIG_SECTION = 'researchAssistant';
export const OUTPUT_CHANNEL_NAME = 'Local Research Assistant';

export const Commands = {
  summarize: 'researchAssistant.summarize',
  summarizeLinkedPaper: 'researchAssistant.summarizeLinkedPaper',
  compareLinkedPapers: 'researchAssistant.compareLinkedPapers',
  explainTerm: 'researchAssistant.explainTerm',
  askAboutNote: 'researchAssistant.askAboutNote',
  draftSection: 'researchAssistant.draftSection',
  runPrompt: 'researchAssistant.runPrompt',
  previewContext: 'researchAssistant.previewContext',
  checkGrounding: 'researchAssistant.checkGrounding',
  selectModel: 'researchAssistant.selectModel',
  testConnection: 'researchAssistant.testConnection',
  setApiKey: 'researchAssistant.setApiKey',
  openPromptTemplates: 'researchAssistant.openPromptTemplates',
  clearCache: 'researchAssistant.clearCache',
  showLog: 'researchAssistant.showLog',
  readPapersInFolder: 'researchAssistant.readPapersInFolder',
  askLibrary: 'researchAssistant.askLibrary',
  findRelatedPapers: 'researchAssistant.findRelatedPapers',
  libraryStatus: 'researchAssistant.libraryStatus',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];
