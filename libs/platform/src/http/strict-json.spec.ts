import { HttpException } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { strictJsonProblem, verifyStrictJson } from './strict-json.js';

const verify = (body: Buffer | string, encoding = 'utf-8') => {
  try {
    verifyStrictJson({} as IncomingMessage, {} as ServerResponse, Buffer.from(body), encoding);
    return undefined;
  } catch (error) {
    return error as HttpException;
  }
};

describe('strictJsonProblem', () => {
  it.each([
    ['an object', '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}'],
    ['the same key in sibling objects', '[{"a":1},{"a":1}]'],
    ['a key that is a value elsewhere', '{"a":"b","b":"a"}'],
    ['escaped quotes and backslashes', '{"a\\"":"\\\\","a\\\\":"\\""}'],
    ['a surrogate pair, escaped and raw', '{"a":"\\ud83d\\ude00","b":"😀"}'],
    ['empty containers', '{"a":{},"b":[],"c":""}'],
  ])('finds nothing wrong with %s', (_case, text) => {
    expect(strictJsonProblem(text)).toBeUndefined();
  });

  it.each([
    ['a duplicate key', '{"a":1,"a":1}', 'duplicate key (at position 7)'],
    ['a duplicate key spelled with an escape', '{"a":1,"\\u0061":2}', 'duplicate key'],
    ['a duplicate key in a nested object', '{"a":{"b":1,"b":2}}', 'duplicate key'],
    ['a duplicate key after a nested object', '{"a":{"x":1},"a":2}', 'duplicate key'],
    ['a duplicate key in an array item', '[{"a":1,"a":1}]', 'duplicate key'],
    ['a lone high surrogate', '{"a":"\\ud800"}', 'lone surrogate in a string (at position 5)'],
    ['a lone low surrogate', '{"a":"x\\udc00"}', 'lone surrogate'],
    ['a reversed pair', '{"a":"\\udc00\\ud800"}', 'lone surrogate'],
    ['a lone surrogate in a key', '{"\\ud800":1}', 'lone surrogate'],
    ['a NUL in a string', '{"a":"x\\u0000y"}', 'NUL character (\\u0000) in a string (at position 5)'],
    ['a NUL in a key', '{"\\u0000":1}', 'NUL character'],
  ])('finds %s', (_case, text, problem) => {
    expect(strictJsonProblem(text)).toContain(problem);
  });

  it('leaves text that is not JSON to the parser', () => {
    expect(strictJsonProblem('{"a":1,"a":')).toBeUndefined();
  });
});

describe('verifyStrictJson', () => {
  it('passes a strict UTF-8 JSON body', () => {
    expect(verify('{"name":"Zoë"}')).toBeUndefined();
  });

  it.each([
    ['a 0xFF byte', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
    ['an overlong encoding', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d])],
    ['a surrogate encoded as UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])],
  ])('refuses %s with a 400', (_case, body) => {
    const error = verify(body);
    expect(error?.getStatus()).toBe(400);
    expect(error?.message).toBe('The request body is not valid UTF-8');
  });

  it('refuses a charset other than UTF-8', () => {
    expect(verify(Buffer.from('{}', 'utf16le'), 'utf-16le')?.message).toBe(
      'The request body must be UTF-8 JSON: its charset is not supported',
    );
  });

  it('refuses a duplicate key with a 400 that quotes nothing of the body', () => {
    const error = verify('{"secret-key":1,"secret-key":2}');
    expect(error?.getStatus()).toBe(400);
    expect(error?.message).toBe('The request body has a duplicate key (at position 16)');
  });
});
