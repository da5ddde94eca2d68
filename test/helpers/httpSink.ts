/**
 * A local HTTP server that records every request: what a workflow's HTTP Request node calls, so a
 * test sees each execution's output. Loopback only.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

export interface SinkCall {
	/** Request path, e.g. `/sink/crossing`. */
	path: string;
	body: unknown;
	receivedAt: number;
}

export interface HttpSink {
	url(path: string): string;
	readonly calls: SinkCall[];
	callsTo(path: string): SinkCall[];
	/** Resolves once `predicate` holds for the calls recorded so far; rejects after `timeoutMs`. */
	waitFor(predicate: (calls: SinkCall[]) => boolean, timeoutMs?: number): Promise<SinkCall[]>;
	close(): Promise<void>;
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

export async function startHttpSink(): Promise<HttpSink> {
	const calls: SinkCall[] = [];
	const server = http.createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			calls.push({ path: request.url ?? '', body: parseJson(Buffer.concat(chunks).toString('utf8')), receivedAt: Date.now() });
			response.writeHead(200, { 'content-type': 'application/json' });
			response.end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: (path) => `http://127.0.0.1:${port}${path}`,
		calls,
		callsTo: (path) => calls.filter((call) => call.path === path),
		async waitFor(predicate, timeoutMs = 30_000) {
			const started = Date.now();
			while (!predicate(calls)) {
				if (Date.now() - started > timeoutMs) throw new Error(`sink: condition not met after ${timeoutMs} ms (${calls.length} calls)`);
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
			return calls;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
