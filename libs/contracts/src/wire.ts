/**
 * How values are spelled on the wire, shared by the services, libs/crypto and
 * every client. Plain functions with no dependencies, so browsers and the CLI
 * can import them without Nest (`@app/contracts/wire`).
 */

/**
 * The one form of an email address: trimmed (ECMAScript white space and line
 * terminators), then lower-cased with the Unicode default case mapping. The
 * server stores and compares this form; clients salt the login secret with it.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const SEXTETS = new Map([...ALPHABET].map((char, index) => [char, index]));

/** base64url without padding (RFC 4648 section 5), as every binary value travels. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

/**
 * Strict base64url: no padding, no `+` or `/`, no whitespace, and no stray
 * bits in the last character, so every value has exactly one spelling.
 * Undefined when `text` is not such a string.
 */
export function decodeBase64Url(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (const char of text) {
    const sextet = SEXTETS.get(char);
    if (sextet === undefined) return undefined;
    value = ((value << 6) | sextet) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  return value & ((1 << bits) - 1) ? undefined : out;
}

/** The number of bytes a strict base64url string encodes, or undefined when it is not one. */
export function base64UrlByteLength(value: unknown): number | undefined {
  return decodeBase64Url(value)?.length;
}
