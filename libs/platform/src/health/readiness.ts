import { Injectable } from '@nestjs/common';

/**
 * Whether this instance still wants new traffic. Once shutting down, the
 * readiness check fails so the load balancer stops sending requests, while
 * liveness stays up so the process is not killed before it has drained.
 */
@Injectable()
export class Readiness {
  private draining = false;

  get shuttingDown(): boolean {
    return this.draining;
  }

  markShuttingDown(): void {
    this.draining = true;
  }
}
