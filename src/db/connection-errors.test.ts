import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDatabaseUnavailable } from './connection-errors.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

test('the ways a database goes away are told from faults of the request: restart, failover, refused, cut, a failed client', () => {
  const away = [
    withCode('57P01', 'terminating connection due to administrator command'),
    withCode('57P02'),
    withCode('57P03', 'the database system is starting up'),
    withCode('08006'),
    withCode('53300', 'sorry, too many clients already'),
    withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
    withCode('ECONNRESET', 'read ECONNRESET'),
    new Error('Connection terminated unexpectedly'),
    new Error('Client has encountered a connection error and is not queryable'),
    new Error('timeout exceeded when trying to connect'),
    new Error('Connection terminated due to connection timeout', { cause: new Error('Connection terminated unexpectedly') }),
    // Two addresses tried (IPv6, IPv4), both refused.
    new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], ''),
    new Error('wrapped', { cause: withCode('57P01') }),
  ];
  for (const error of away) assert.equal(isDatabaseUnavailable(error), true, String(error));
});

test('a refusal of the statement itself, a fault of the code or nothing at all is not "database unavailable"', () => {
  const cyclic = new Error('cyclic') as Error & { cause?: unknown };
  cyclic.cause = cyclic;
  const others: unknown[] = [
    withCode('23505', 'duplicate key value violates unique constraint'),
    withCode('40001', 'could not serialize access'),
    withCode('42P01', 'relation does not exist'),
    new TypeError('Cannot read properties of undefined'),
    'ECONNREFUSED',
    undefined,
    null,
    cyclic,
  ];
  for (const error of others) assert.equal(isDatabaseUnavailable(error), false, String(error));
});
