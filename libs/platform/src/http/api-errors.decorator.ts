import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ErrorResponseDto } from '@app/contracts';

/**
 * Documents the error statuses an operation answers, each with the shared
 * error body and an example of that status (not one generic example).
 */
export function ApiErrors(errors: Record<number, string>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(errors).map(([code, description]) => {
      const status = Number(code);
      return ApiResponse({
        status,
        description,
        type: ErrorResponseDto,
        example: { statusCode: status, error: STATUS_CODES[status], message: description },
      });
    }),
  );
}
