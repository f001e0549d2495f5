import type { TestProject } from 'vitest/node';
import { newRunId, onPostgres, startRun } from './database.js';

let run: { end: () => Promise<void> } | undefined;

export async function setup(project: TestProject): Promise<void> {
  const runId = newRunId();
  project.provide('testRunId', runId);
  if (onPostgres) run = await startRun(runId);
}

export async function teardown(): Promise<void> {
  await run?.end();
}
