import 'reflect-metadata';
import { runRewrap } from '@app/platform';
import { ServerModule } from './app.module.js';
import { rewrapVerifiers } from './auth/rewrap-verifiers.js';

await runRewrap('Server', (env) => ServerModule.forRoot(env), rewrapVerifiers);
