import 'reflect-metadata';
import { runRewrap } from '@app/platform';
import { KeyserverModule } from './app.module.js';
import { rewrapBlobs } from './keys/rewrap.js';

await runRewrap('Keyserver', (env) => KeyserverModule.forRoot(env), rewrapBlobs);
