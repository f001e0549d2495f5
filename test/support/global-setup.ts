import { createTemplates, dropTemplates, onPostgres } from './database.js';

export async function setup(): Promise<void> {
  if (onPostgres) await createTemplates();
}

export async function teardown(): Promise<void> {
  if (onPostgres) await dropTemplates();
}
