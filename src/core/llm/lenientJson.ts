/**
 * Small models wrap JSON in fences or prose and leave trailing commas, a common way small local models break JSON output.
 * This takes the first complete JSON value out of a reply; it does not guess at anything else.
 * Throws an Error whose message says what was wrong (used in the repair prompt).
 */
export function parseLenientJson(reply: string): unknown {
  const candidates: string[] = [];
  const fence = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(reply);
  if (fence?.[1] !== undefined) candidates.push(fence[1]);
  candidates.push(reply);
  let lastError = 'no JSON object or array found';
  for (const candidate of candidates) {
    const extracted = extractBalanced(candidate);
    if (extracted === undefined) continue;
    for (const text of [extracted, removeTrailingCommas(extracted)]) {
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
  }
  throw new Error(`invalid JSON: ${lastError}`);
}

/** The first `{…}` or `[…]` with balanced brackets, skipping brackets inside strings. */
function extractBalanced(text: string): string | undefined {
  const start = text.search(/[{[]/);
  if (start < 0) return undefined;
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') stack.push('}');
    else if (ch === '[') stack.push(']');
    else if (ch === '}' || ch === ']') {
      if (stack.pop() !== ch) return undefined;
      if (stack.length === 0) return text.slice(start, i + 1);
    }
  }
  return undefined;
}

/** Drops commas directly before `}` or `]`, outside strings. */
function removeTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    if (ch === ',') {
      const rest = text.slice(i + 1);
      if (/^\s*[}\]]/.test(rest)) continue;
    }
    out += ch;
  }
  return out;
}
