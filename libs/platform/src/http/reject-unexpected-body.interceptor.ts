import { BadRequestException, CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/**
 * An operation without a `@Body()` takes no fields at all: the whitelist the
 * ValidationPipe applies to bodies must hold for these routes too.
 */
@Injectable()
export class RejectUnexpectedBodyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body = context.switchToHttp().getRequest<Request>().body as unknown;
    if (hasContent(body) && !takesBody(context)) {
      throw new BadRequestException('This operation takes no request body');
    }
    return next.handle();
  }
}

/** Anything but no body or `{}`: an empty array is still not "no body". */
function hasContent(body: unknown): boolean {
  if (body === undefined || body === null) return false;
  return typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length > 0;
}

function takesBody(context: ExecutionContext): boolean {
  const args =
    (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), context.getHandler().name) as
      Record<string, unknown> | undefined) ?? {};
  return Object.keys(args).some((key) => key.startsWith(`${RouteParamtypes.BODY}:`));
}
