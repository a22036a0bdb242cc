import { asArray, asNumber, asRecord, asString, httpPost, type Http } from '../http';
import type { ChatMessage } from '../types';
import type { ChatTarget, DetectedServer, ModelEntry, Probes, ServerContext, ServerDialect } from './dialect';
import { vllmEmbeddings } from './embeddingListing';
import { openAiModelList } from './listing';
import { openAiChat } from './openAiChat';

/** Template argument that turns off a hybrid model's thinking; templates without the variable ignore it. */
const THINKING_OFF = { enable_thinking: false } as const;
/** vLLM batches continuously rather than in fixed slots; this many parallel requests is a safe default for map-reduce. */
const PARALLEL_REQUESTS = 4;

/**
 * vLLM. Recognised by `/version` (public even with an API key) plus a `/v1/models` listing it owns (or a 401 there,
 * where the key protects `/v1`). The listing's `max_model_len` is the context for prompt and answer together; an
 * overflow is always a 400, never a silent cut. Counts are exact through `/tokenize` with the chat template.
 */
export const vllm: ServerDialect = {
  kind: 'vllm',
  displayName: 'vLLM',
  contextAdvice: 'Restart vLLM with a larger "--max-model-len" (for example 32768).',
  contextKnownAfterLoad: false,

  async probe(probes: Probes) {
    const version = await probes.get('/version');
    const versionBody = asRecord(version?.json);
    const models = await probes.get('/v1/models');
    const ownedBy = asString(asRecord(asArray(asRecord(models?.json)?.data)[0])?.owned_by);
    if (version?.status === 200 && typeof versionBody?.version === 'string' && (ownedBy === 'vllm' || models?.status === 401)) {
      return { kind: 'vllm', root: probes.root, version: versionBody.version };
    }
    return undefined;
  },

  claimsModelList: ({ status, body, first }) =>
    status === 200 && body !== undefined && (asString(first?.owned_by) === 'vllm' || (first !== undefined && 'max_model_len' in first)),

  async listModels(server: DetectedServer, http: Http): Promise<ModelEntry[]> {
    return (await openAiModelList(server, http)).flatMap((m) =>
      asString(m.id) && !/embed/i.test(String(m.id)) ? [{ id: String(m.id), loaded: true, contextLength: asNumber(m.max_model_len) }] : [],
    );
  },

  readContext: (_server: DetectedServer, model: ModelEntry): Promise<ServerContext> =>
    Promise.resolve({ contextLength: model.contextLength, parallelSlots: PARALLEL_REQUESTS, thinking: false, notes: [] }),

  async countTokens(messages: readonly ChatMessage[], target: ChatTarget, http: Http): Promise<number | undefined> {
    const r = await httpPost(http, `${target.root}/tokenize`, {
      model: target.model,
      messages,
      add_generation_prompt: true,
      chat_template_kwargs: { ...THINKING_OFF },
    });
    const count = asNumber(asRecord(r?.json)?.count);
    return r?.status === 200 ? count : undefined;
  },

  openChat: (context) =>
    openAiChat(context, {
      adjustBody: (body) => {
        body.chat_template_kwargs = { ...THINKING_OFF };
      },
    }),
  embeddings: vllmEmbeddings,
};
