import OpenAI from 'openai';
import type { AssistantError } from '../../errors';
import { openAiBase } from '../endpoint';
import { wrapFetchForOpenAi } from '../openAiFetch';
import type { ChatRequest } from '../types';
import type { ChatContext, ChatEvent, ChatTransport } from './dialect';

/** What a server adds to the standard chat body (thinking switches, template arguments). */
export interface OpenAiChatOptions {
  /** Adjusts the body just before it is sent; `body.messages` are copies the hook may change. */
  readonly adjustBody?: (body: OpenAiChatBody, request: ChatRequest, context: ChatContext) => void;
}

export interface OpenAiChatBody extends Record<string, unknown> {
  messages: { role: string; content: string }[];
}

/** Chat through `/v1/chat/completions` with the official client: LM Studio, vLLM, llama.cpp and unknown servers. */
export function openAiChat(context: ChatContext, options: OpenAiChatOptions = {}): ChatTransport {
  return new OpenAiChat(context, options);
}

class OpenAiChat implements ChatTransport {
  private client: OpenAI | undefined;
  /** Set when a (generic) server rejected `stream_options`; usage is then simply missing. */
  private noStreamOptions = false;

  constructor(
    private readonly context: ChatContext,
    private readonly options: OpenAiChatOptions,
  ) {}

  adaptToRejection(error: AssistantError): boolean {
    if (this.noStreamOptions || error.code !== 'UnsupportedParameter' || !/stream.?options/i.test(error.message)) return false;
    this.noStreamOptions = true;
    this.context.logger.warn('The server rejected stream_options; streaming without usage counts');
    return true;
  }

  async *events(request: ChatRequest, _promptBudget: number, signal: AbortSignal): AsyncGenerator<ChatEvent> {
    const { info, config, logger } = this.context;
    const body: OpenAiChatBody = {
      model: info.model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      max_tokens: request.maxTokens,
      temperature: request.temperature ?? config.temperature,
      stream: true,
    };
    // Usage arrives only with include_usage; it is how a server's dropped input is noticed.
    if (!this.noStreamOptions) body.stream_options = { include_usage: true };
    this.options.adjustBody?.(body, request, this.context);
    if (request.jsonSchema) {
      // json_schema everywhere (LM Studio rejects json_object); every server reads json_schema.schema.
      body.response_format = {
        type: 'json_schema',
        json_schema: { name: request.jsonSchema.name, schema: request.jsonSchema.schema, strict: true },
      };
    }
    logger.trace(`POST ${openAiBase(info.baseUrl)}/chat/completions ${JSON.stringify(body)}`);
    const stream = await this.openAi().chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsStreaming, { signal });
    for await (const chunk of stream) {
      if (typeof chunk.model === 'string' && chunk.model) yield { type: 'model', model: chunk.model };
      for (const choice of chunk.choices ?? []) {
        const delta = (choice.delta ?? {}) as Record<string, unknown>;
        // Servers and versions disagree on the field name; either one is reasoning, never answer text.
        const reasoning = delta.reasoning ?? delta.reasoning_content;
        if (typeof reasoning === 'string' && reasoning.length > 0) yield { type: 'reasoning' };
        if (typeof delta.content === 'string' && delta.content.length > 0) yield { type: 'text', text: delta.content };
        if (choice.finish_reason) yield { type: 'finish', reason: choice.finish_reason };
      }
      if (chunk.usage)
        yield { type: 'usage', usage: { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens } };
    }
  }

  private openAi(): OpenAI {
    const { info, config, apiKey, fetch } = this.context;
    this.client ??= new OpenAI({
      baseURL: openAiBase(info.baseUrl),
      apiKey: apiKey || 'no-key',
      maxRetries: 0,
      // Covers only the wait for response headers (model load + prefill on Ollama/llama.cpp); our timers govern.
      timeout: (config.firstTokenTimeoutSeconds + 30) * 1000,
      fetch: wrapFetchForOpenAi(fetch, Boolean(apiKey)),
      dangerouslyAllowBrowser: true,
      logLevel: 'off',
    });
    return this.client;
  }
}
