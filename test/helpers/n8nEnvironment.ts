/**
 * Imported before n8n-core: its DI services read these when first created.
 * - N8N_USER_FOLDER: InstanceSettings writes .n8n/config (an encryption key) there, so keep it out of $HOME.
 * - N8N_LOG_LEVEL: the ErrorReporter logs every node error through n8n's winston logger, straight to the
 *   console; silent unless the caller asks for logs (N8N_LOG_LEVEL=debug npx jest ...).
 */
import { mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

if (process.env.N8N_USER_FOLDER === undefined) {
	const userFolder = join(tmpdir(), 'n8n-nodes-pql-jest');
	mkdirSync(userFolder, { recursive: true });
	process.env.N8N_USER_FOLDER = userFolder;
}
process.env.N8N_LOG_LEVEL ??= 'silent';
