import { isIP } from 'node:net';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import ipaddr from 'ipaddr.js';

/** Longer User-Agent headers are cut: the log shows people what their client is, not whatever it sends. */
export const USER_AGENT_MAX_LENGTH = 256;

/** Where a request came from, as a session or an event shows it. */
export interface RequestOrigin {
  /** The client's address (IPv4-mapped IPv6 shown as IPv4); null when there is none to show. */
  clientAddress: string | null;
  /** The User-Agent header, at most USER_AGENT_MAX_LENGTH characters; null when absent. */
  userAgent: string | null;
}

/**
 * The client's address as the service sees it: the socket's, or the one the
 * trusted proxies (TRUST_PROXY) forwarded (express `req.ip`). Unlike the rate
 * limits' counted address, an IPv6 address is shown whole.
 */
export function clientAddressOf(ip: string | undefined): string | null {
  // Some proxies forward `a.b.c.d:port` or `[v6]:port`: the port is not part of the client.
  const address = ip && (/^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(ip)?.[1] ?? /^\[([^\]]+)\]:\d{1,5}$/.exec(ip)?.[1] ?? ip);
  // Node's strict forms only: ipaddr.js would also read `1` as an IPv4 address.
  if (!address || isIP(address) === 0) return null;
  return ipaddr.process(address).toString();
}

/** Cut to USER_AGENT_MAX_LENGTH characters (code points, as PostgreSQL counts them); PostgreSQL text holds no NUL. */
export function truncateUserAgent(userAgent: string | null | undefined): string | null {
  const characters = Array.from((userAgent ?? '').replaceAll('\0', ''));
  return characters.length === 0 ? null : characters.slice(0, USER_AGENT_MAX_LENGTH).join('');
}

/** A request's `{clientAddress, userAgent}`. */
export function requestOriginOf(request: Request): RequestOrigin {
  return { clientAddress: clientAddressOf(request.ip), userAgent: truncateUserAgent(request.get('user-agent')) };
}

/** The request's `{clientAddress, userAgent}`, for a handler that records where a request came from. */
export const RequestOrigin = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestOrigin => requestOriginOf(context.switchToHttp().getRequest<Request>()),
);
