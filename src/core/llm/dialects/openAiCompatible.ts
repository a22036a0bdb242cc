import { openAiModelList } from './listing';
import { asNumber, asRecord, asString, type Http } from '../http';
import type { DetectedServer, ModelEntry, ServerContext, ServerDialect } from './dialect';
import { genericEmbeddings } from './embeddingListing';
import { openAiChat } from './openAiChat';

/**
 * Any other server that speaks OpenAI chat completions. It tells us nothing about its context, so the session falls
 * back to a conservative size and asks the user to set the real one; counts are estimates.
 */
export const openAiCompatible: ServerDialect = {
  kind: 'openai-compatible',
  displayName: 'OpenAI-compatible',
  contextAdvice: 'This server does not report its context. Set "researchAssistant.contextLength" to its real context size.',
  contextKnownAfterLoad: false,

  // A model list (possibly `data: null` when empty), or a 401 from a server that wants a key.
  claimsModelList: ({ status, body }) =>
    (status === 200 && body !== undefined && (Array.isArray(body.data) || body.data === null)) || status === 401,

  async listModels(server: DetectedServer, http: Http): Promise<ModelEntry[]> {
    return (await openAiModelList(server, http)).flatMap((m) => {
      const id = asString(m.id);
      if (!id || /embed/i.test(id)) return [];
      return [{ id, loaded: true, contextLength: asNumber(asRecord(m.meta)?.n_ctx) }];
    });
  },

  readContext: (): Promise<ServerContext> =>
    Promise.resolve({
      parallelSlots: 1,
      thinking: false,
      notes: ['unknown server kind: set researchAssistant.contextLength to its real context size'],
    }),

  openChat: (context) => openAiChat(context),
  embeddings: genericEmbeddings,
};
