import 'reflect-metadata';
import { startService } from '@app/platform';
import { ServerModule } from './app.module.js';
import { serverApiDocs } from './core/api-docs.js';

await startService({ name: 'Server', rootModule: (env) => ServerModule.forRoot(env), docs: serverApiDocs });
