import { asNumber, asRecord, asString, httpGet, httpPost, type Http } from '../http';
import type { ChatMessage } from '../types';
import type { ChatTarget, DetectedServer, ModelEntry, Probes, ServerContext, ServerDialect } from './dialect';
import { openAiModelList } from './listing';
import { openAiChat } from './openAiChat';

/** Template argument that turns off a hybrid model's thinking; templates without the variable ignore it. */
const THINKING_OFF = { enable_thinking: false } as const;

/**
 * llama.cpp `llama-server`. Recognised by `/props` (which also serves Ollama-style `/api/tags`, so that route proves
 * nothing). The usable context is the per-slot `n_ctx` (`-c` divided among `-np` slots), never the trained one.
 * Counts are exact: the server renders its chat template and tokenizes the result.
 */
export const llamacpp: ServerDialect = {
  kind: 'llamacpp',
  displayName: 'llama.cpp',
  contextAdvice: 'Restart llama-server with a larger "-c" (for example -c 32768; with -np N each slot gets c/N unless --kv-unified).',
  contextKnownAfterLoad: false,

  async probe(probes: Probes) {
    const props = await probes.get('/props');
    const body = asRecord(props?.json);
    if (props?.status === 200 && body && asRecord(body.default_generation_settings)) {
      return { kind: 'llamacpp', root: probes.root, version: asString(body.build_info), props: body };
    }
    // While loading, most endpoints answer 503 unavailable_error "Loading model".
    if (props?.status === 503 && /unavailable_error|Loading model/i.test(props.text)) return { loading: 'llama.cpp server' };
    return undefined;
  },

  claimsModelList: ({ status, body, first }) =>
    status === 200 &&
    body !== undefined &&
    (asString(first?.owned_by) === 'llamacpp' || asRecord(first?.meta) !== undefined || Array.isArray(body.models)),

  async listModels(server: DetectedServer, http: Http): Promise<ModelEntry[]> {
    return (await openAiModelList(server, http)).flatMap((m) => {
      const id = asString(m.id);
      if (!id || /embed/i.test(id)) return [];
      return [{ id, loaded: true, contextLength: asNumber(asRecord(m.meta)?.n_ctx) }];
    });
  },

  async readContext(server: DetectedServer, model: ModelEntry, http: Http): Promise<ServerContext> {
    let props = server.props;
    let settings = asRecord(props?.default_generation_settings);
    if (!asNumber(settings?.n_ctx)) {
      // Router mode: a bare /props is a placeholder with n_ctx 0; the model's own props name it.
      const r = await httpGet(http, `${server.root}/props?model=${encodeURIComponent(model.id)}`);
      props = asRecord(r?.json) ?? props;
      settings = asRecord(props?.default_generation_settings);
    }
    return {
      contextLength: asNumber(settings?.n_ctx) || model.contextLength,
      parallelSlots: asNumber(props?.total_slots) ?? 1,
      thinking: false,
      notes: [],
    };
  },

  async countTokens(messages: readonly ChatMessage[], target: ChatTarget, http: Http): Promise<number | undefined> {
    const rendered = await httpPost(http, `${target.root}/apply-template`, { messages });
    const prompt = asString(asRecord(rendered?.json)?.prompt);
    if (prompt === undefined) return undefined;
    const r = await httpPost(http, `${target.root}/tokenize`, { content: prompt, add_special: true, parse_special: true });
    const tokens = asRecord(r?.json)?.tokens;
    return r?.status === 200 && Array.isArray(tokens) ? tokens.length : undefined;
  },

  openChat: (context) =>
    openAiChat(context, {
      adjustBody: (body) => {
        body.chat_template_kwargs = { ...THINKING_OFF };
      },
    }),
};
