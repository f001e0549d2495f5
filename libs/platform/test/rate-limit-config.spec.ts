import { describe, expect, it } from 'vitest';
import { ConfigurationError, countedAddress, parseRateLimit, parseTrustProxy } from '../src/index.js';

describe('parseRateLimit', () => {
  it.each([
    ['5/15m', 5, 900],
    ['30/1m', 30, 60],
    ['50/24h', 50, 86_400],
    ['1/1s', 1, 1],
    ['2/7d', 2, 604_800],
    ['5/366d', 5, 366 * 86_400],
  ])('reads %s as %i in %i seconds', (value, points, durationSeconds) => {
    expect(parseRateLimit('RATE_LIMIT_X', value)).toEqual({ points, durationSeconds });
  });

  it.each([
    ['no events', '0/1m'],
    ['no window', '5'],
    ['an empty window', '5/0m'],
    ['a window without a unit', '5/15'],
    ['an unknown unit', '5/15x'],
    ['a negative count', '-1/1m'],
    ['a window over a year', '5/400d'],
    ['a blank', ' '],
  ])('refuses %s (%j), naming the variable', (_case, value) => {
    const attempt = () => parseRateLimit('RATE_LIMIT_LOGIN_PER_EMAIL', value);
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/^RATE_LIMIT_LOGIN_PER_EMAIL must be <count>\/<window>/);
  });
});

describe('parseTrustProxy', () => {
  it.each([undefined, '', '  ', '0'])('trusts no proxy for %j', (value) => {
    expect(parseTrustProxy(value)).toBe(false);
  });

  it('reads a hop count', () => {
    expect(parseTrustProxy('2')).toBe(2);
  });

  it('reads a list of addresses and CIDR ranges, IPv4 and IPv6', () => {
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.1')).toEqual(['10.0.0.0/8', '192.168.1.1']);
    expect(parseTrustProxy('fd00::/8')).toEqual(['fd00::/8']);
  });

  it.each([
    ['true', /"true" is refused/],
    ['10.0.0.0/33', /"10\.0\.0\.0\/33" is not one/],
    ['abc', /"abc" is not one/],
    ['10.0.0.1,', /"" is not one/],
    ['fd00::/129', /"fd00::\/129" is not one/],
  ])('refuses %j, naming TRUST_PROXY and the bad entry', (value, message) => {
    const attempt = () => parseTrustProxy(value);
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(/^TRUST_PROXY must be/);
    expect(attempt).toThrow(message);
  });
});

describe('countedAddress', () => {
  it('counts an IPv4-mapped IPv6 address as the IPv4 address it is', () => {
    expect(countedAddress('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(countedAddress('203.0.113.9')).toBe('203.0.113.9');
  });

  it('counts IPv6 addresses by their /64', () => {
    const one = countedAddress('2001:db8:1:2::1');
    expect(countedAddress('2001:db8:1:2:ffff:ffff:ffff:fffe')).toBe(one);
    expect(countedAddress('2001:db8:1:3::1')).not.toBe(one);
    expect(countedAddress('2001:db8:1:2::1')).not.toBe(countedAddress('2001:db8:2:2::1'));
  });

  it('counts the compressed and expanded forms of an address alike', () => {
    expect(countedAddress('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe(countedAddress('2001:db8::1'));
    expect(countedAddress('2001:DB8::1')).toBe(countedAddress('2001:db8::1'));
  });

  it('drops the port some proxies forward with the address', () => {
    expect(countedAddress('203.0.113.9:1234')).toBe('203.0.113.9');
    expect(countedAddress('[2001:db8:1:2::1]:443')).toBe(countedAddress('2001:db8:1:2::1'));
    expect(countedAddress('[::ffff:203.0.113.9]:80')).toBe('203.0.113.9');
  });

  it.each([undefined, '', 'garbage', '203.0.113.9:', '[2001:db8::1]', '1', '12345', '203.0.113.011', '0x7f000001'])(
    'counts %j as unknown, never as some address it happens to parse to',
    (address) => {
      expect(countedAddress(address)).toBe('unknown');
    },
  );
});
