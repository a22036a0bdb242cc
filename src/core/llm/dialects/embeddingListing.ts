import { asArray, asNumber, asRecord, asString, httpGet, httpPost, type Http } from '../http';
import type { DetectedServer, EmbeddingDialect, EmbeddingModelEntry } from './dialect';
import { listingError, openAiModelList } from './listing';

/**
 * llama-server embeds an input only when it fits one physical batch (`-ub`, 512 tokens unless raised), whatever
 * the context; the batch size is not reported, so the default is the limit we can rely on.
 */
export const LLAMACPP_PHYSICAL_BATCH = 512;

/**
 * Ollama: `/api/tags` lists every pulled model (embedding ones carry `capabilities:["embedding"]` in newer
 * versions); `/api/show` gives the trained context (`<arch>.context_length`).
 */
export const ollamaEmbeddings: EmbeddingDialect = {
  wire: 'ollama',
  async listModels(server: DetectedServer, http: Http): Promise<EmbeddingModelEntry[]> {
    const tags = await httpGet(http, `${server.root}/api/tags`);
    if (tags?.status !== 200) throw listingError(tags, `${server.root}/api/tags`);
    return asArray(asRecord(tags.json)?.models).flatMap((m) => {
      const record = asRecord(m);
      const id = asString(record?.name) ?? asString(record?.model);
      if (!id) return [];
      const capabilities = asArray(record?.capabilities);
      return [{ id, ...(capabilities.length > 0 ? { embedding: capabilities.includes('embedding') } : {}) }];
    });
  },
  async readContext(server: DetectedServer, model: EmbeddingModelEntry, http: Http): Promise<number | undefined> {
    const show = await httpPost(http, `${server.root}/api/show`, { model: model.id });
    const info = asRecord(asRecord(show?.json)?.model_info);
    const arch = asString(info?.['general.architecture']);
    return (
      asNumber(info?.[`${arch ?? ''}.context_length`]) ??
      asNumber(Object.entries(info ?? {}).find(([k]) => k.endsWith('.context_length'))?.[1])
    );
  },
};

/** LM Studio: the v0 listing types each model (`embeddings`) and gives its loaded (else maximum) context. */
export const lmstudioEmbeddings: EmbeddingDialect = {
  wire: 'openai',
  async listModels(server: DetectedServer, http: Http): Promise<EmbeddingModelEntry[]> {
    const v0 = await httpGet(http, `${server.root}/api/v0/models`);
    const data = asArray(asRecord(v0?.json)?.data).map(asRecord);
    if (v0?.status === 200 && data.length > 0) {
      return data.flatMap((m) => {
        const id = asString(m?.id);
        if (!id) return [];
        const context = asNumber(m?.loaded_context_length) ?? asNumber(m?.max_context_length);
        return [{ id, embedding: m?.type === 'embeddings', ...(context ? { contextLength: context } : {}) }];
      });
    }
    return openAiEntries(server, http, () => undefined);
  },
};

/** vLLM serves one model per server; its `max_model_len` is the limit of an embedding input too. */
export const vllmEmbeddings: EmbeddingDialect = {
  wire: 'openai',
  listModels: (server, http) => openAiEntries(server, http, (m) => asNumber(m.max_model_len)),
};

/** llama.cpp: the slot context bounds an input, and so does the physical batch (see LLAMACPP_PHYSICAL_BATCH). */
export const llamacppEmbeddings: EmbeddingDialect = {
  wire: 'openai',
  listModels: (server, http) =>
    openAiEntries(server, http, (m) => {
      const meta = asRecord(m.meta);
      const context = asNumber(meta?.n_ctx) ?? asNumber(meta?.n_ctx_train);
      return Math.min(context ?? LLAMACPP_PHYSICAL_BATCH, LLAMACPP_PHYSICAL_BATCH);
    }),
};

/** Any other server: ids only; the limit is unknown (the embedder then assumes a small one). */
export const genericEmbeddings: EmbeddingDialect = {
  wire: 'openai',
  listModels: (server, http) => openAiEntries(server, http, () => undefined),
};

async function openAiEntries(
  server: DetectedServer,
  http: Http,
  context: (m: Record<string, unknown>) => number | undefined,
): Promise<EmbeddingModelEntry[]> {
  return (await openAiModelList(server, http)).flatMap((m) => {
    const id = asString(m.id);
    if (!id) return [];
    const limit = context(m);
    return [{ id, ...(limit ? { contextLength: limit } : {}) }];
  });
}
