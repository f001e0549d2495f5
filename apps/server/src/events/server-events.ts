import type { ServerEventType } from '@app/contracts';
import type { NewEvent, RequestOrigin } from '@app/platform';

/** One event of the server's log (GET /api/user/events), from the request that caused it. */
export function serverEvent(userId: string, type: ServerEventType, origin: RequestOrigin): NewEvent {
  return { userId, type, clientAddress: origin.clientAddress, userAgent: origin.userAgent };
}
