import 'reflect-metadata';
import { runMigrate } from '@app/platform';
import { KeyserverModule } from './app.module.js';

await runMigrate('Keyserver', (env) => KeyserverModule.forRoot(env));
