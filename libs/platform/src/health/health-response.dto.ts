import { ApiProperty, getSchemaPath } from '@nestjs/swagger';

/** One check's result. */
export class HealthCheckDto {
  /** @example "up" */
  status: 'up' | 'down';

  /**
   * Why the check failed (a down check only).
   * @example "The database did not answer"
   */
  message?: string;

  /**
   * How long the check took, in milliseconds (not for `process`).
   * @example 3
   */
  responseTime?: number;
}

const checksProperty = (example: Record<string, HealthCheckDto>) =>
  ApiProperty({
    description: 'Each check by name: `process` (liveness); `database`, and on the keyserver `server` (readiness)',
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(HealthCheckDto) },
    example,
  });

export class HealthResponseDto {
  /** @example "ok" */
  status: 'ok';

  @checksProperty({ database: { status: 'up', responseTime: 2 }, server: { status: 'up', responseTime: 5 } })
  checks: Record<string, HealthCheckDto>;
}

/** The usual error body (ErrorResponse), with the result of each check that ran. */
export class HealthCheckFailedResponseDto {
  /** @example 503 */
  statusCode: number;

  /**
   * The HTTP status text.
   * @example "Service Unavailable"
   */
  error: string;

  /**
   * Which checks failed, or that the service is shutting down.
   * @example "Not ready: server down"
   */
  message: string;

  @checksProperty({
    database: { status: 'up', responseTime: 2 },
    server: { status: 'down', message: 'The server is unreachable', responseTime: 3 },
  })
  checks: Record<string, HealthCheckDto>;
}
