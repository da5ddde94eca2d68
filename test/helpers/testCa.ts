/**
 * A throw-away certificate authority and a server certificate for 127.0.0.1 / localhost, made with the
 * machine's `openssl`, valid one day. For HTTPS test servers; clients trust `caFile` (Node:
 * NODE_EXTRA_CA_CERTS=<caFile> or the `ca` option). Files live in a temp dir until `remove()`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface TestCertificates {
	caFile: string;
	ca: string;
	key: string;
	cert: string;
	remove(): void;
}

export function createTestCertificates(): TestCertificates {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-test-ca-'));
	const file = (name: string) => path.join(dir, name);
	const openssl = (...args: string[]) => {
		try {
			execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
		} catch (error) {
			const failure = error as { code?: string; stderr?: Buffer; message: string };
			if (failure.code === 'ENOENT') throw new Error('HTTPS test servers need `openssl` (Debian/Ubuntu package openssl)');
			throw new Error(`openssl ${args[0]} failed: ${failure.stderr?.toString() ?? failure.message}`);
		}
	};
	openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', '/CN=n8n-nodes-pql test CA');
	openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1');
	fs.writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
	openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file('server.crt'), '-days', '1', '-extfile', file('server.ext'));
	return {
		caFile: file('ca.crt'),
		ca: fs.readFileSync(file('ca.crt'), 'utf8'),
		key: fs.readFileSync(file('server.key'), 'utf8'),
		cert: fs.readFileSync(file('server.crt'), 'utf8'),
		remove: () => fs.rmSync(dir, { recursive: true, force: true }),
	};
}
