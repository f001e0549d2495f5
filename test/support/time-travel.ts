import type { RunningApp } from './apps.js';
import { DataSource } from 'typeorm';

/**
 * Lifetimes are enforced by the database clock (`expires_at > now()`), so a
 * test ages a row instead of waiting: the one arrangement made below the API.
 */
export async function expireAll(
  app: RunningApp,
  table: 'access_tokens' | 'session_challenges' | 'sessions',
): Promise<void> {
  await app.app.get(DataSource).query(`UPDATE ${table} SET expires_at = now() - interval '1 second'`);
}
