import { describe, expect, it } from 'vitest';
import { bodyParserException } from './body-parser-errors.middleware.js';

// The types no HTTP request can show (the e2e tests in test/http.e2e-spec.ts cover the others):
// an aborted request has no one left to answer, and Node's parser never lets a body differ from its Content-Length.
describe('bodyParserException', () => {
  it.each([
    ['request.aborted', 400, 'The request was aborted before its body was read'],
    ['request.size.invalid', 400, 'The request body does not match its Content-Length'],
    ['some.future.type', 400, 'The request body cannot be read (is its Content-Encoding right?)'],
  ])('answers %s with a fixed message', (type, status, message) => {
    const exception = bodyParserException({ type, status: 400, message: 'raw message with SECRET input' });
    expect(exception.getStatus()).toBe(status);
    expect(exception.message).toBe(message);
  });

  it('keeps only the position of a JSON syntax error', () => {
    const message = `Unexpected token 'S', "{"a": SECRET}" is not valid JSON`;
    expect(bodyParserException({ type: 'entity.parse.failed', status: 400, message }).message).toBe(
      'The request body is not valid JSON',
    );
    expect(
      bodyParserException({
        type: 'entity.parse.failed',
        status: 400,
        message: `Bad escaped character in JSON at position 13 (line 1 column 14)`,
      }).message,
    ).toBe('The request body is not valid JSON (at position 13)');
  });
});
