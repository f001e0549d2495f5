import 'reflect-metadata';
import { runMigrate } from '@app/platform';
import { ServerModule } from './app.module.js';

await runMigrate('Server', (env) => ServerModule.forRoot(env));
