import { ApiProperty } from '@nestjs/swagger';

/** Every error: Nest's JSON error body. */
export class ErrorResponseDto {
  /** @example 400 */
  statusCode: number;

  /**
   * The HTTP status text.
   * @example "Bad Request"
   */
  error: string;

  @ApiProperty({
    description: 'What is wrong: one message, or one per invalid field',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['email must be a well-formed email address'],
  })
  message: string | string[];
}
