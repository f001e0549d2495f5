import 'reflect-metadata';
import { startService } from '@app/platform';
import { KeyserverModule } from './app.module.js';
import { keyserverApiDocs } from './core/api-docs.js';

await startService({ name: 'Keyserver', rootModule: (env) => KeyserverModule.forRoot(env), docs: keyserverApiDocs });
