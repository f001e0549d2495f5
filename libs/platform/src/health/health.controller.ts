import { Controller, Get, Inject, ServiceUnavailableException, SetMetadata } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { ApiNoSecurity } from '../http/api-docs.js';
import { ApiErrors } from '../http/api-errors.decorator.js';
import { HealthCheckFailedException } from './health-check-failed.exception.js';
import { HealthCheckDto, HealthCheckFailedResponseDto, HealthResponseDto } from './health-response.dto.js';
import { Readiness } from './readiness.js';
import { READINESS_INDICATORS, type ReadinessIndicator } from './readiness-indicator.js';

/** The key both apps' global guards read (each app's `Public()`): probes carry no credential. */
const AUTH_POLICY = 'keyexchange:auth-policy';

const SHUTTING_DOWN = 'Not ready: shutting down';

/** Probes for the orchestrator; exempt from the per-address ceiling (requestCeiling). */
@ApiTags('health')
// A probe takes nothing: a body or a query string is refused as on every operation that takes none.
@ApiErrors({ 400: 'A request body or a query string: a probe takes neither' }, { exemptFromCeiling: true })
@ApiExtraModels(HealthCheckDto)
@SetMetadata(AUTH_POLICY, 'public')
@ApiNoSecurity()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: Readiness,
    @Inject(READINESS_INDICATORS) private readonly readinessIndicators: ReadinessIndicator[],
  ) {}

  @Get('live')
  @ApiOperation({
    summary: 'The process answers (liveness): restart it if this fails',
    description:
      'Checks nothing else, so a database outage never gets the process restarted; stays 200 while shutting down.',
  })
  @ApiResponse({
    status: 200,
    type: HealthResponseDto,
    example: { status: 'ok', checks: { process: { status: 'up' } } },
  })
  getLiveness(): HealthResponseDto {
    // Not through HealthCheckService: it answers 503 once Nest begins shutting down.
    return { status: 'ok', checks: this.indicators.check('process').up() };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'The service can serve requests (readiness): send it traffic only while this is 200',
    description:
      'Runs `SELECT 1` on the database (2 s timeout); the keyserver also checks that the server’s validate endpoint answers.',
  })
  @ApiResponse({ status: 200, type: HealthResponseDto })
  @ApiResponse({
    status: 503,
    description: 'A dependency is down, or the service is shutting down',
    type: HealthCheckFailedResponseDto,
    example: {
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Not ready: server down',
      checks: {
        database: { status: 'up', responseTime: 2 },
        server: { status: 'down', message: 'The server is unreachable', responseTime: 3 },
      },
    },
  })
  async getReadiness(): Promise<HealthResponseDto> {
    if (this.readiness.shuttingDown) throw new HealthCheckFailedException(SHUTTING_DOWN, {});
    try {
      const result = await this.health.check(this.readinessIndicators.map((indicator) => () => indicator.check()));
      return { status: 'ok', checks: result.details as HealthResponseDto['checks'] };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      // Terminus's own 503 body, in the shape every error here has.
      const result = error.getResponse() as HealthCheckResult;
      const message =
        result.status === 'shutting_down'
          ? SHUTTING_DOWN
          : `Not ready: ${Object.keys(result.error ?? {}).join(', ')} down`;
      throw new HealthCheckFailedException(message, result.details);
    }
  }
}
