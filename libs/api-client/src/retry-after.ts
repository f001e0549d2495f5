/**
 * How long a `Retry-After` header asks the client to wait, in words: "30
 * seconds", "1 minute", "14 minutes", "3 hours". Minutes are rounded up (past a
 * minute, seconds are noise), so the user never comes back too early. Undefined
 * when the header is absent or unreadable.
 */
export function waitInWords(retryAfter: string | null, now = Date.now()): string | undefined {
  const seconds = retryAfterSeconds(retryAfter, now);
  if (seconds === undefined) return undefined;
  if (seconds < 60) return plural(Math.max(1, seconds), 'second');
  const minutes = Math.ceil(seconds / 60);
  if (minutes <= 90) return plural(minutes, 'minute');
  const [hours, rest] = [Math.floor(minutes / 60), minutes % 60];
  return rest === 0 ? plural(hours, 'hour') : `${plural(hours, 'hour')} ${plural(rest, 'minute')}`;
}

/** Whole seconds (what our services send), or an HTTP date (what RFC 9110 also allows). */
function retryAfterSeconds(value: string | null, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d{1,10}$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
