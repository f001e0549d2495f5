import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { shownAddress } from '../rate-limits/rate-limit-config.js';

/** Longer User-Agent headers are cut: the log shows people what their client is, not whatever it sends. */
export const USER_AGENT_MAX_LENGTH = 256;

/** Where a request came from, as a session or an event shows it. */
export interface RequestOrigin {
  /**
   * The client's address as the service sees it (the socket's, or what the TRUST_PROXY proxies forwarded):
   * IPv4-mapped IPv6 shown as IPv4, IPv6 whole (unlike the rate limits' /64); null when there is none to show.
   */
  clientAddress: string | null;
  /** The User-Agent header, at most USER_AGENT_MAX_LENGTH characters; null when absent. */
  userAgent: string | null;
}

/** Cut to USER_AGENT_MAX_LENGTH characters (code points, as PostgreSQL counts them); PostgreSQL text holds no NUL. */
export function truncateUserAgent(userAgent: string | null | undefined): string | null {
  const characters = Array.from((userAgent ?? '').replaceAll('\0', ''));
  return characters.length === 0 ? null : characters.slice(0, USER_AGENT_MAX_LENGTH).join('');
}

/** A request's `{clientAddress, userAgent}`. */
export function requestOriginOf(request: Request): RequestOrigin {
  return { clientAddress: shownAddress(request.ip), userAgent: truncateUserAgent(request.get('user-agent')) };
}

/** The request's `{clientAddress, userAgent}`, for a handler that records where a request came from. */
export const RequestOrigin = createParamDecorator((_data: unknown, context: ExecutionContext): RequestOrigin =>
  requestOriginOf(context.switchToHttp().getRequest<Request>()),
);
