import { BadRequestException, CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/** What a handler's parameters take from the request. */
interface DeclaredInput {
  body: boolean;
  /** 'dto' when it takes its whole query as a DTO (whitelisted by the ValidationPipe), else the names it takes. */
  query: 'dto' | Set<string>;
}

/**
 * An operation takes the input its handler declares and nothing else, as a
 * body takes only its DTO's fields: without a `@Body()` no body at all;
 * without a `@Query()` DTO only the `@Query('name')` parameters, and with
 * neither no query string (a stray parameter is a client's mistake, and may
 * not go unnoticed).
 */
@Injectable()
export class RejectUndeclaredInputInterceptor implements NestInterceptor {
  /** Read once per handler: route metadata does not change after start. */
  private readonly declared = new WeakMap<object, DeclaredInput>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const declared = this.declaredInput(context);
    const request = context.switchToHttp().getRequest<Request>();
    if (!declared.body && hasContent(request.body))
      throw new BadRequestException('This operation takes no request body');
    if (declared.query !== 'dto') {
      const search = request.originalUrl.indexOf('?');
      const raw = search === -1 ? '' : request.originalUrl.slice(search + 1);
      if (declared.query.size === 0 && raw !== '')
        throw new BadRequestException('This operation takes no query parameters');
      const known = declared.query;
      if (Object.keys(request.query).some((name) => !known.has(name)))
        throw new BadRequestException(`Query parameters this operation takes: ${[...known].join(', ')}`);
    }
    return next.handle();
  }

  private declaredInput(context: ExecutionContext): DeclaredInput {
    const handler = context.getHandler();
    let declared = this.declared.get(handler);
    if (!declared) {
      declared = readDeclaredInput(context);
      this.declared.set(handler, declared);
    }
    return declared;
  }
}

function readDeclaredInput(context: ExecutionContext): DeclaredInput {
  const args =
    (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) as
      Record<string, { data?: unknown }> | undefined) ?? {};
  const declared: DeclaredInput = { body: false, query: new Set() };
  for (const [key, { data }] of Object.entries(args)) {
    if (key.startsWith(`${RouteParamtypes.BODY}:`)) declared.body = true;
    if (!key.startsWith(`${RouteParamtypes.QUERY}:`) || declared.query === 'dto') continue;
    if (typeof data === 'string') declared.query.add(data);
    else declared.query = 'dto';
  }
  return declared;
}

/** Anything but no body or `{}`: an empty array is still not "no body". */
function hasContent(body: unknown): boolean {
  if (body === undefined || body === null) return false;
  return typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length > 0;
}
