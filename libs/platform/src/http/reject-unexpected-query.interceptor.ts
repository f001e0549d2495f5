import { BadRequestException, CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/**
 * An operation takes the query parameters its handler declares and no
 * others, as its body takes only its DTO's fields: a whole `@Query()` DTO is
 * whitelisted by the ValidationPipe; `@Query('name')` takes that name; a
 * handler with neither refuses any query string at all (a stray parameter is
 * a client's mistake, and may not go unnoticed).
 */
@Injectable()
export class RejectUnexpectedQueryInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const declared = declaredQuery(context);
    if (declared !== 'dto') {
      const request = context.switchToHttp().getRequest<Request>();
      const search = request.originalUrl.indexOf('?');
      const raw = search === -1 ? '' : request.originalUrl.slice(search + 1);
      if (declared.size === 0 && raw !== '') throw new BadRequestException('This operation takes no query parameters');
      const unknown = Object.keys(request.query).filter((name) => !declared.has(name));
      if (unknown.length > 0)
        throw new BadRequestException(`Query parameters this operation takes: ${[...declared].join(', ')}`);
    }
    return next.handle();
  }
}

/** 'dto' when a handler takes its whole query as a DTO, else the names it takes one by one. */
function declaredQuery(context: ExecutionContext): 'dto' | Set<string> {
  const args =
    (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) as
      Record<string, { data?: unknown }> | undefined) ?? {};
  const names = new Set<string>();
  for (const [key, { data }] of Object.entries(args)) {
    if (!key.startsWith(`${RouteParamtypes.QUERY}:`)) continue;
    if (typeof data !== 'string') return 'dto';
    names.add(data);
  }
  return names;
}
