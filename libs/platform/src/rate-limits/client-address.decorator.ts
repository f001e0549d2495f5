import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { countedAddress } from './rate-limit-config.js';

/**
 * The address the client is counted under: the socket's, or the one the
 * trusted proxies (TRUST_PROXY) forwarded; IPv6 by its /64.
 */
export const ClientAddress = createParamDecorator((_data: unknown, context: ExecutionContext): string =>
  countedAddress(context.switchToHttp().getRequest<Request>().ip),
);
