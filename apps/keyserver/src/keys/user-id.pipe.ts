import { BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';

/** A path's userId as a UUID in its one (lower-case) spelling, the one the server issued. */
@Injectable()
export class ParseUserIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !isUUID(value)) throw new BadRequestException('userId must be a UUID');
    return value.toLowerCase();
  }
}

/** A path's keyChangeId as a UUID in its one (lower-case) spelling, the one the keyserver drew. */
@Injectable()
export class ParseKeyChangeIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !isUUID(value)) throw new BadRequestException('keyChangeId must be a UUID');
    return value.toLowerCase();
  }
}
