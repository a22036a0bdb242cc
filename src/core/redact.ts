/** Secrets never reach the log: applied by the adapter's logger to every message and argument. */
const SECRET_PATTERNS: readonly RegExp[] = [
  /(authorization\s*[:=]\s*)(bearer\s+)?[^\s,"'}]+/gi,
  /((?:api[_-]?key|token|secret|password)["']?\s*[:=]\s*["']?)[^\s,"'}]+/gi,
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/g,
  /\bsk-[A-Za-z0-9_-]{8,}/g,
];

/** Removes API keys and bearer tokens from anything written to the log. */
export function redact(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (_m, prefix: string | undefined, bearer: string | undefined) =>
      typeof prefix === 'string' && prefix.length > 0 ? `${prefix}${bearer ?? ''}[redacted]` : '[redacted]',
    );
  }
  return out;
}
