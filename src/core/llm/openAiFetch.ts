import { AssistantError } from '../errors';
import { classifyFacts, errorFactsFromBody, summariseBody } from './classify';
import { parseJsonOrUndefined, type FetchLike } from './http';

/**
 * The fetch the openai client uses. It repairs what the client cannot see:
 * - HTTP 200 whose body is a JSON error (LM Studio 0.4.21 overflow, LM Studio "Unexpected endpoint") → classified error;
 * - HTTP 200 HTML page (a non-LLM server on the port) → BadResponse instead of an empty stream;
 * - llama.cpp's old `error: {…}` SSE field (ignored by the client) → rewritten as `data: {"error":{…}}`, which the
 *   client throws on;
 * - no key configured → no Authorization header at all (the client insists on a key string).
 * Errors thrown here reach us as APIConnectionError.cause; classify.ts unwraps them.
 */
export function wrapFetchForOpenAi(base: FetchLike, hasKey: boolean): FetchLike {
  return async (input, init) => {
    let request = init;
    if (!hasKey && init?.headers) {
      const headers = new Headers(init.headers);
      headers.delete('authorization');
      request = { ...init, headers };
    }
    const response = await base(input, request);
    if (!response.ok) return normaliseErrorBody(response);
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('text/event-stream')) {
      if (response.body === null) return response;
      return new Response(response.body.pipeThrough(rewriteSseErrorField()), {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    }
    const text = await response.text();
    const json = parseJsonOrUndefined(text);
    const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : undefined;
    if (record && 'error' in record && record.error) {
      throw classifyFacts(errorFactsFromBody(200, record, text));
    }
    if (json === undefined && /<html|<!doctype/i.test(text)) {
      throw new AssistantError('BadResponse', `The server answered with an HTML page: ${summariseBody(text)}`, {
        data: { detail: `an HTML page instead of a model answer (${summariseBody(text).slice(0, 80)})` },
      });
    }
    // Streams sometimes arrive without the SSE content type; hand the text back unchanged.
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** Line-level rewrite of `error: X` SSE fields into `data: {"error": X}`. */
function rewriteSseErrorField(): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let pending = '';
  const fix = (line: string): string => {
    if (!line.startsWith('error:')) return line;
    const payload = line.slice('error:'.length).trim();
    const json = parseJsonOrUndefined(payload);
    const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : undefined;
    const error = record && 'error' in record ? record : { error: json ?? { message: payload } };
    return `data: ${JSON.stringify(error)}`;
  };
  return new TransformStream({
    transform(chunk, controller) {
      pending += decoder.decode(chunk, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      if (lines.length > 0) controller.enqueue(encoder.encode(lines.map(fix).join('\n') + '\n'));
    },
    flush(controller) {
      pending += decoder.decode();
      if (pending.length > 0) controller.enqueue(encoder.encode(fix(pending)));
    },
  });
}

/**
 * The client reads only `body.error`; vLLM ≤ 0.10.0 sends a flat `{"object":"error","message":…}` that would
 * become "400 status code (no body)". Wrap it so the message (and the overflow numbers) survive.
 */
async function normaliseErrorBody(response: Response): Promise<Response> {
  const text = await response.text();
  const json = parseJsonOrUndefined(text);
  const record = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  const body = record && !('error' in record) && typeof record.message === 'string' ? JSON.stringify({ error: record }) : text;
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
