import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './database-unavailable.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a connection that broke', new Error('Connection terminated unexpectedly')],
    ['no connection in time', new Error('timeout exceeded when trying to connect')],
    ['no answer in time', new Error('Query read timeout')],
    ['a statement stopped by statement_timeout', withCode('canceling statement due to statement timeout', '57014')],
    ['a server shutting down', withCode('terminating connection due to administrator command', '57P01')],
    ['no connection slot', withCode('sorry, too many clients already', '53300')],
    ['a connection exception', withCode('connection failure', '08006')],
    ['one wrapped by TypeORM', new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly'))],
    ['one given as the cause', new Error('outer', { cause: withCode('refused', 'ECONNREFUSED') })],
    ['one of several addresses', new AggregateError([withCode('refused', 'ECONNREFUSED')], 'all failed')],
  ])('%s: yes', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], withCode('duplicate key value', '23505'))],
    ['invalid input', new QueryFailedError('SELECT', [], withCode('invalid input syntax for type uuid', '22P02'))],
    ['a deadlock (a fault of ours to see, not to hide)', withCode('deadlock detected', '40P01')],
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['not an Error', 'ECONNREFUSED'],
  ])('%s: no', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
