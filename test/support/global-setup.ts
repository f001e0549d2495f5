import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { sharedBuildsFolder } from './build.js';
import { newRunId, onPostgres, startRun } from './database.js';

let run: { end: () => Promise<void> } | undefined;
let runId: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  runId = newRunId();
  project.provide('testRunId', runId);
  if (onPostgres) run = await startRun(runId);
}

export async function teardown(): Promise<void> {
  await run?.end();
  if (runId) rmSync(sharedBuildsFolder(runId), { recursive: true, force: true });
}
