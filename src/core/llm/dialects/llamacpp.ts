import { asNumber, asRecord, asString, httpGet, httpPost, type Http } from '../http';
import type { ChatMessage } from '../types';
import type { ChatTarget, DetectedServer, ModelEntry, Probes, ServerContext, ServerDialect } from './dialect';
import { llamacppEmbeddings } from './embeddingListing';
import { openAiModelList } from './listing';
import { openAiChat } from './openAiChat';

/** Template argument that turns off a hybrid model's thinking; templates without the variable ignore it. */
const THINKING_OFF = { enable_thinking: false } as const;
/**
 * With a hybrid (Qwen3) template, a JSON schema together with the thinking-off argument is refused: the grammar
 * expects the generation prompt, which then carries an empty think block.
 */
const SCHEMA_WITH_THINKING_OFF_REFUSED = /Failed to initialize samplers/i;
/** How much of the sources identifies them for slot affinity. */
const SLOT_KEY_CHARS = 8192;

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
    // The same template arguments as the chat request: the thinking-off switch adds an empty think block.
    const rendered = await httpPost(http, `${target.root}/apply-template`, { messages, chat_template_kwargs: { ...THINKING_OFF } });
    const prompt = asString(asRecord(rendered?.json)?.prompt);
    if (prompt === undefined) return undefined;
    const r = await httpPost(http, `${target.root}/tokenize`, { content: prompt, add_special: true, parse_special: true });
    const tokens = asRecord(r?.json)?.tokens;
    return r?.status === 200 && Array.isArray(tokens) ? tokens.length : undefined;
  },

  openChat: (context) => {
    /** Set once the server refused a schema together with the thinking-off switch; schema requests then go without it. */
    let schemaWithoutThinkingOff = false;
    const slots = new SlotAffinity(context.info.parallelSlots);
    return openAiChat(context, {
      adjustBody: (body, request) => {
        if (!(request.jsonSchema !== undefined && schemaWithoutThinkingOff)) body.chat_template_kwargs = { ...THINKING_OFF };
        // On by default in current builds; older ones needed it, and it costs nothing to say.
        body.cache_prompt = true;
        const slot = slots.choose(body.messages);
        if (slot !== undefined) body.id_slot = slot;
      },
      adaptToRejection: (error, { logger }) => {
        // Only a grammar (a schema) makes the samplers fail, so the message alone identifies the case.
        if (schemaWithoutThinkingOff || !SCHEMA_WITH_THINKING_OFF_REFUSED.test(error.message)) return false;
        schemaWithoutThinkingOff = true;
        logger.warn(
          `llama.cpp refused the JSON schema with thinking switched off (${error.message}); keeping the schema, dropping the switch`,
        );
        return true;
      },
      settled: (body) => slots.release(body),
    });
  },
  embeddings: llamacppEmbeddings,
};

/**
 * Sends requests on the same sources to the same slot, so its cached prompt prefix serves them. The slot is a
 * stable hash of the first source in the first non-system message, so it survives a restart of the client
 * while the server keeps its slots. With one slot there is nothing to choose. A slot this client is already using
 * is left alone: the request then goes to whichever slot the server picks, so parallel requests never queue
 * behind each other.
 */
class SlotAffinity {
  private readonly busy = new Map<number, number>();

  constructor(private readonly count: number) {}

  choose(messages: readonly { role: string; content: string }[]): number | undefined {
    if (this.count <= 1) return undefined;
    const first = messages.find((m) => m.role !== 'system') ?? messages[0];
    if (!first) return undefined;
    const slot = fnv1a(sourcesPart(first.content).slice(0, SLOT_KEY_CHARS)) % this.count;
    if ((this.busy.get(slot) ?? 0) > 0) return undefined;
    this.busy.set(slot, 1);
    return slot;
  }

  release(body: Record<string, unknown>): void {
    const slot = body.id_slot;
    if (typeof slot === 'number') this.busy.set(slot, Math.max(0, (this.busy.get(slot) ?? 0) - 1));
  }
}

/**
 * The part of a prompt message that the following requests on the same sources share: the first delimited source
 * (sources come first, in a canonical order; the task and question last). Without delimiters, everything before
 * the last paragraph (the task).
 */
function sourcesPart(content: string): string {
  const source = content.indexOf('</source>');
  if (source > 0) return content.slice(0, source);
  const end = content.trimEnd().lastIndexOf('\n\n');
  return end > 0 ? content.slice(0, end) : content;
}

/** 32-bit FNV-1a over UTF-16 code units: stable across runs and hosts, which a slot choice must be. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
