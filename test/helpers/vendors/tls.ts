/**
 * A throw-away test CA and one server certificate for every vendor host name the stand-ins
 * answer for (plus 127.0.0.1 and localhost), made with openssl in a temp directory. A real n8n
 * trusts the CA through NODE_EXTRA_CA_CERTS; nothing outside the test process and its n8n does.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface TestTls {
	/** PEM file of the CA, for NODE_EXTRA_CA_CERTS. */
	caFile: string;
	ca: string;
	key: string;
	cert: string;
	dir: string;
	remove(): void;
}

function openssl(args: string[], cwd: string): void {
	execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function createTestTls(hostNames: string[]): TestTls {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pql-test-tls-'));
	const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
	openssl(
		['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=n8n-nodes-pql test CA',
			'-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
		dir,
	);
	openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=n8n-nodes-pql vendor stand-ins'], dir);
	const names = [...new Set(['localhost', ...hostNames])].map((name) => `DNS:${name}`);
	fs.writeFileSync(
		path.join(dir, 'server.ext'),
		[`subjectAltName=${[...names, 'IP:127.0.0.1'].join(',')}`, 'basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth'].join('\n'),
	);
	openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext'], dir);
	const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
	return {
		caFile: path.join(dir, 'ca.crt'),
		ca: read('ca.crt'),
		key: read('server.key'),
		cert: read('server.crt'),
		dir,
		remove: () => fs.rmSync(dir, { recursive: true, force: true }),
	};
}
