/**
 * The common part of every vendor stand-in: a loopback HTTP or HTTPS server that records each
 * request (method, path, query, headers, parsed body) and answers through the vendor's own router.
 * HTTPS uses a certificate from ./tls.ts, so a real n8n reaches it under the vendor's host name.
 */
import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';

export interface RecordedRequest {
	method: string;
	/** Path without the query string. */
	path: string;
	query: URLSearchParams;
	headers: http.IncomingHttpHeaders;
	/** JSON or form body parsed; other bodies as text. */
	body: unknown;
	rawBody: string;
	receivedAt: number;
}

export interface VendorAnswer {
	status: number;
	body?: unknown;
	headers?: Record<string, string>;
}

export type VendorRouter = (request: RecordedRequest) => VendorAnswer | Promise<VendorAnswer>;

export interface VendorServerOptions {
	/** Serve HTTPS with this key and certificate (PEM). */
	tls?: { key: string; cert: string };
	/** Listen on this port (e.g. 443 for a stand-in reached by host name); default a free one. */
	port?: number;
	host?: string;
}

export interface VendorServer {
	readonly port: number;
	/** `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`. */
	readonly url: string;
	readonly requests: RecordedRequest[];
	/** Requests whose `METHOD path` matches, e.g. `POST /crm/v3/objects/companies`. */
	requestsTo(method: string, path: string | RegExp): RecordedRequest[];
	/** Requests being answered right now, and the most at once so far. */
	readonly inFlight: number;
	readonly maxInFlight: number;
	close(): Promise<void>;
}

function parseBody(raw: string, contentType: string | undefined): unknown {
	if (raw === '') return undefined;
	if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
	try {
		return JSON.parse(raw) as unknown;
	} catch {
		return raw;
	}
}

export async function startVendorServer(route: VendorRouter, options: VendorServerOptions = {}): Promise<VendorServer> {
	const requests: RecordedRequest[] = [];
	let inFlight = 0;
	let maxInFlight = 0;
	const handler: http.RequestListener = (incoming, response) => {
		inFlight++;
		maxInFlight = Math.max(maxInFlight, inFlight);
		const chunks: Buffer[] = [];
		incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
		incoming.on('end', () => {
			const rawBody = Buffer.concat(chunks).toString('utf8');
			const url = new URL(incoming.url ?? '/', 'http://stand-in');
			const request: RecordedRequest = {
				method: incoming.method ?? 'GET',
				path: url.pathname,
				query: url.searchParams,
				headers: incoming.headers,
				body: parseBody(rawBody, incoming.headers['content-type']),
				rawBody,
				receivedAt: Date.now(),
			};
			requests.push(request);
			Promise.resolve()
				.then(() => route(request))
				.catch((error: Error): VendorAnswer => ({ status: 500, body: { standInError: error.message } }))
				.then((answer) => {
					inFlight--;
					const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
					const contentType = typeof answer.body === 'string' ? 'text/plain' : 'application/json';
					response.writeHead(answer.status, { 'content-type': contentType, ...answer.headers });
					response.end(text);
				});
		});
	};
	const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		port,
		url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
		requests,
		requestsTo: (method, path) =>
			requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))),
		get inFlight() {
			return inFlight;
		},
		get maxInFlight() {
			return maxInFlight;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
