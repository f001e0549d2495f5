import { BadRequestException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * body-parser's `verify` hook for JSON bodies: what JSON.parse lets through
 * and this API refuses (RFC 8259 and I-JSON, RFC 7493). Only UTF-8; no byte
 * that is not UTF-8 (decoded, it would silently become U+FFFD); no duplicate
 * key (JSON.parse keeps the last, another parser the first); no lone
 * surrogate (`"\ud800"`, which no UTF-8 can store: PostgreSQL refuses it);
 * no NUL (`"\u0000"`, which no PostgreSQL text can hold).
 * Throws a 400; a body that is not JSON at all is left to body-parser, which
 * says where it stops being JSON.
 */
export function verifyStrictJson(_req: IncomingMessage, _res: ServerResponse, body: Buffer, encoding: string): void {
  if (encoding !== 'utf-8') {
    throw new BadRequestException('The request body must be UTF-8 JSON: its charset is not supported');
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new BadRequestException('The request body is not valid UTF-8');
  }
  const problem = strictJsonProblem(text);
  if (problem) throw new BadRequestException(problem);
}

/** What is wrong with JSON text that JSON.parse accepts; undefined if nothing is, or if it is not JSON at all. */
export function strictJsonProblem(text: string): string | undefined {
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  // Valid JSON from here on: a scan of its strings, knowing which are keys, suffices.
  const keys: Array<Set<string> | undefined> = []; // per open container: an object's keys, or undefined for an array
  let expectingKey = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '{' || char === '[') {
      keys.push(char === '{' ? new Set() : undefined);
      expectingKey = char === '{';
    } else if (char === '}' || char === ']') {
      keys.pop();
      expectingKey = false;
    } else if (char === ',') {
      expectingKey = keys[keys.length - 1] !== undefined;
    } else if (char === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const value = JSON.parse(text.slice(i, end + 1)) as string;
      if (!value.isWellFormed()) return `The request body has a lone surrogate in a string (at position ${i})`;
      if (value.includes('\u0000'))
        return `The request body has a NUL character (\\u0000) in a string (at position ${i})`;
      if (expectingKey) {
        const seen = keys[keys.length - 1]!;
        if (seen.has(value)) return `The request body has a duplicate key (at position ${i})`;
        seen.add(value);
        expectingKey = false;
      }
      i = end;
    }
  }
  return undefined;
}
