import { AssistantError, hasErrorCode } from '../errors';
import type { Logger } from '../ports/logger';
import { parseLenientJson } from './lenientJson';
import type { ChatRequest, ChatResult } from './types';

export type JsonRequest = ChatRequest & { readonly jsonSchema: NonNullable<ChatRequest['jsonSchema']> };

/**
 * Structured output: asks with the schema, parses leniently (fences, trailing commas), validates, and on a rejected
 * answer asks the model once to repair it, showing it its own reply and the problem. A server that refuses
 * structured output altogether is asked again without the schema (the prompt still describes the JSON).
 */
export async function completeJson<T>(
  complete: (request: ChatRequest, signal: AbortSignal) => Promise<ChatResult>,
  logger: Logger,
  chatRequest: JsonRequest,
  validate: (value: unknown) => T,
  signal: AbortSignal,
): Promise<{ readonly value: T; readonly result: ChatResult }> {
  let req: ChatRequest = chatRequest;
  let result: ChatResult;
  try {
    result = await complete(req, signal);
  } catch (error) {
    if (!hasErrorCode(error, 'UnsupportedParameter')) throw error;
    logger.warn(`Server refused response_format (${error.message}); retrying without it`);
    req = { ...chatRequest, jsonSchema: undefined };
    result = await complete(req, signal);
  }
  let problem: string;
  try {
    return { value: validate(parseLenientJson(result.text)), result };
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  logger.warn(`JSON answer rejected (${problem}); asking the model once to repair it`);
  // Other messages: the first request's estimate does not carry over.
  const { estimate: _estimate, ...first } = req;
  const repair: ChatRequest = {
    ...first,
    messages: [
      ...req.messages,
      { role: 'assistant', content: result.text },
      {
        role: 'user',
        content: `Your reply could not be used: ${problem}. Reply again with only the JSON value that matches the schema, no prose and no code fences.`,
      },
    ],
  };
  const second = await complete(repair, signal);
  try {
    return { value: validate(parseLenientJson(second.text)), result: second };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AssistantError('BadResponse', `The model's JSON was unusable after one repair: ${detail}`, {
      cause: error,
      data: { detail },
    });
  }
}
