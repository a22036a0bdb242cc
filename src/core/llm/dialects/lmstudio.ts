import { asArray, asNumber, asRecord, asString, httpGet, type Http } from '../http';
import type { DetectedServer, ModelEntry, Probes, ServerContext, ServerDialect } from './dialect';
import { lmstudioEmbeddings } from './embeddingListing';
import { openAiModelList } from './listing';
import { openAiChat } from './openAiChat';

/** LM Studio's answer, with HTTP 200, to any path or method it does not serve. */
const UNKNOWN_ENDPOINT = /Unexpected endpoint or method/i;
/** Original Qwen3 releases think by default and accept a switch; the 2507 Instruct/Thinking models do not. */
const HYBRID_QWEN3 = /qwen3(?!.*(?:instruct|thinking|2507|coder|vl))/i;

/**
 * LM Studio. Recognised by its 200-with-error answer to unknown paths or its `/api/v0/models` listing (which says
 * which models are loaded). It loads models on first use (JIT) with its own settings, so the context of a model not
 * yet loaded is unknown until after the first answer. No tokenizer endpoint: prompt sizes are estimates.
 */
export const lmstudio: ServerDialect = {
  kind: 'lmstudio',
  displayName: 'LM Studio',
  contextAdvice:
    'In LM Studio, reload the model with a larger "Context Length" (Developer tab, model settings) or run "lms load <model> --context-length 32768".',
  contextKnownAfterLoad: true,

  async probe(probes: Probes) {
    const version = await probes.get('/api/version');
    if (UNKNOWN_ENDPOINT.test(asString(asRecord(version?.json)?.error) ?? '')) return { kind: 'lmstudio', root: probes.root };
    const v0 = await probes.get('/api/v0/models');
    const body = asRecord(v0?.json);
    if (v0?.status === 200 && body) {
      const first = asRecord(asArray(body.data)[0]);
      if ((first && ('state' in first || 'max_context_length' in first)) || UNKNOWN_ENDPOINT.test(asString(body.error) ?? ''))
        return { kind: 'lmstudio', root: probes.root };
    }
    return undefined;
  },

  claimsModelList: ({ status, first }) => status === 200 && asString(first?.owned_by) === 'organization_owner',

  async listModels(server: DetectedServer, http: Http): Promise<ModelEntry[]> {
    const v0 = await httpGet(http, `${server.root}/api/v0/models`);
    const data = asArray(asRecord(v0?.json)?.data).map(asRecord);
    if (v0?.status === 200 && data.length > 0) {
      return data.flatMap((m) => {
        const id = asString(m?.id);
        if (!id || m?.type === 'embeddings') return [];
        return [{ id, loaded: m?.state === 'loaded', contextLength: asNumber(m?.loaded_context_length) }];
      });
    }
    // Versions without the v0 API list ids only.
    return (await openAiModelList(server, http)).flatMap((m) =>
      asString(m.id) && !/embed/i.test(String(m.id)) ? [{ id: String(m.id) }] : [],
    );
  },

  /** The loaded instance's context (`/api/v1/models`), else what the v0 listing said; never the model's maximum. */
  async readContext(server: DetectedServer, model: ModelEntry, http: Http): Promise<ServerContext> {
    const v1 = await httpGet(http, `${server.root}/api/v1/models`);
    const entry = asArray(asRecord(v1?.json)?.models)
      .map(asRecord)
      .find((m) => m?.key === model.id || asArray(m?.loaded_instances).some((i) => asRecord(i)?.id === model.id));
    const config = asRecord(asRecord(asArray(entry?.loaded_instances)[0])?.config);
    const contextLength = asNumber(config?.context_length) ?? model.contextLength;
    return {
      contextLength,
      parallelSlots: asNumber(config?.parallel) ?? 1,
      thinking: false,
      notes: contextLength === undefined ? [`LM Studio has not loaded ${model.id}; its context is unknown until it is loaded`] : [],
    };
  },

  openChat: (context) =>
    openAiChat(context, {
      adjustBody: (body, _request, { info }) => {
        // LM Studio has no API switch for thinking; hybrid Qwen3 templates honour the documented `/no_think` soft switch.
        const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
        if (lastUser && HYBRID_QWEN3.test(info.model)) lastUser.content = `${lastUser.content}\n/no_think`;
      },
    }),
  embeddings: lmstudioEmbeddings,
};
