import { BadRequestException, type PipeTransform } from '@nestjs/common';

const MAX_VERSION = 2_147_483_646;

/**
 * A version in a path: decimal digits only, 1 to 2147483646; the handler
 * takes it as a string (so the global pipe does not convert `1e3` to 1000
 * first, as Number() would) and reads it with Number().
 */
export class VersionPathPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) > MAX_VERSION) {
      throw new BadRequestException('version must be a whole number from 1 to 2147483646');
    }
    return value;
  }
}
