/**
 * An Upstash-compatible Redis REST endpoint on loopback, in front of a real Redis server: what the
 * package's shared store talks to in the tests, as it would talk to managed Upstash or to a REST bridge
 * (such as serverless-redis-http) in front of a self-hosted Redis. Its backend is the zero-dependency
 * RESP client in ./resp (one pipelined connection).
 *
 * Implemented as documented at https://upstash.com/docs/redis/features/restapi:
 * - `POST /` with the command as a JSON array (`["SET","k","v","PX",1000]`; numbers are sent as text)
 *   → 200 `{"result": …}`; a Redis error → 400 `{"error": "<Redis's error text>"}`.
 * - Path commands: `GET|POST|PUT|HEAD /set/foo/bar` (URL-decoded segments); a POST/PUT body is appended
 *   as the last argument, query parameters after it as `NAME value` pairs (`/set/foo?EX=100`).
 * - `POST /pipeline`: an array of command arrays → 200 `[{"result": …} | {"error": "…"}, …]`, in order,
 *   not atomic.
 * - `POST /multi-exec`: the same, as one MULTI/EXEC transaction (atomic) → 200 with one entry per
 *   command (a command failing at run time is an `{"error"}` entry, the others still run); when Redis
 *   discards the transaction (a command refused while queueing) → 400 `{"error": "<that command's error>"}`.
 * - Auth: `Authorization: Bearer <token>` or `?_token=<token>`; otherwise 401
 *   `{"error":"WRONGPASS invalid or missing auth token"}` (Upstash's text, docs: troubleshooting/http_unauthorized).
 * - Replies as Upstash maps RESP: simple and bulk strings → strings, integers → numbers, nil → null,
 *   arrays → arrays (nested).
 * - `Upstash-Encoding: base64`: every string in the result base64-encoded except "OK".
 * - Methods other than HEAD, GET, POST, PUT → 405.
 * - HTTPS: `tls: true` serves with a throw-away CA (./testCa.ts); clients trust `caFile`.
 *
 * Not implemented (400, saying so): `Upstash-Response-Format: resp2`; MONITOR and (P|S)SUBSCRIBE
 * streams; blocking commands and commands that change the connection's state (MULTI, WATCH, SELECT,
 * AUTH, …), which would stall or corrupt the one shared connection. Error texts of our own (malformed
 * JSON, unsupported command, 405/500 bodies) are not Upstash's exact wording, which is not documented.
 */
import * as http from 'http';
import * as https from 'https';
import type { AddressInfo } from 'net';
import { RedisClient, RedisConnectionError, RedisReplyError, settle, type RedisReply } from './resp/redisClient';
import type { RedisAddress } from './testRedis';
import { createTestCertificates, type TestCertificates } from './testCa';

export const UNAUTHORIZED_ERROR = 'WRONGPASS invalid or missing auth token';
const ALLOWED_METHODS = new Set(['HEAD', 'GET', 'POST', 'PUT']);
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Refused: they block or change the state of the connection every request shares. */
const UNSUPPORTED_COMMANDS = new Set([
	'MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH', 'SELECT', 'AUTH', 'HELLO', 'QUIT', 'RESET', 'CLIENT',
	'SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE', 'MONITOR', 'WAIT', 'WAITAOF',
	'BLPOP', 'BRPOP', 'BLMOVE', 'BRPOPLPUSH', 'BLMPOP', 'BZPOPMIN', 'BZPOPMAX', 'BZMPOP',
]);

export interface UpstashBridgeOptions {
	/** The Redis server behind the bridge. */
	redis: RedisAddress;
	/** The Bearer token clients must send. */
	token: string;
	/** Serve HTTPS with a throw-away test CA instead of HTTP. */
	tls?: boolean;
}

export interface UpstashBridgeStats {
	requests: number;
	/** Redis commands run (a pipeline of n counts n). */
	commands: number;
	unauthorized: number;
}

export interface UpstashBridge {
	/** `http(s)://127.0.0.1:<port>`: the REST URL a client is configured with. */
	url: string;
	token: string;
	/** With `tls`: the CA certificate file clients must trust (e.g. NODE_EXTRA_CA_CERTS). */
	caFile?: string;
	ca?: string;
	readonly stats: UpstashBridgeStats;
	close(): Promise<void>;
}

type Command = string[];
type Entry = { result: unknown } | { error: string };

class BadRequest extends Error {}

/** Upstash answers each command with its RESP reply as JSON; errors nested in arrays become their text. */
function toJson(reply: RedisReply | RedisReplyError, base64: boolean): unknown {
	if (reply instanceof RedisReplyError) return reply.message;
	if (Array.isArray(reply)) return reply.map((item) => toJson(item, base64));
	if (typeof reply === 'string' && base64 && reply !== 'OK') return Buffer.from(reply, 'utf8').toString('base64');
	return reply;
}

function parseCommand(value: unknown): Command {
	if (!Array.isArray(value) || value.length === 0) throw new BadRequest('ERR failed to parse command: expected a non-empty JSON array');
	return value.map((arg, index) => {
		if (typeof arg === 'string') return arg;
		if (typeof arg === 'number' || typeof arg === 'boolean') return String(arg);
		throw new BadRequest(`ERR failed to parse command: argument ${index} is ${arg === null ? 'null' : typeof arg}, expected a string or a number`);
	});
}

function parseCommands(value: unknown): Command[] {
	if (!Array.isArray(value) || value.length === 0) throw new BadRequest('ERR failed to parse commands: expected a non-empty JSON array of command arrays');
	return value.map(parseCommand);
}

function parseJson(body: Buffer): unknown {
	try {
		return JSON.parse(body.toString('utf8')) as unknown;
	} catch (error) {
		throw new BadRequest(`ERR failed to parse command: ${(error as Error).message}`);
	}
}

function checkSupported(command: Command): void {
	if (UNSUPPORTED_COMMANDS.has(command[0].toUpperCase())) {
		throw new BadRequest(`ERR ${command[0]} is not supported by this REST bridge (it would block or change the shared connection)`);
	}
}

/** `/set/foo/bar?EX=100` (+ body) → SET foo bar EX 100. */
function pathCommand(url: URL, body: Buffer, method: string): Command {
	const command = url.pathname.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
	if ((method === 'POST' || method === 'PUT') && body.length > 0) command.push(body.toString('utf8'));
	for (const [name, value] of url.searchParams) if (name !== '_token') command.push(name, value);
	return command;
}

function readBody(request: http.IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		request.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) request.destroy(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
			else chunks.push(chunk);
		});
		request.on('end', () => resolve(Buffer.concat(chunks)));
		request.on('error', reject);
	});
}

export async function startUpstashBridge(options: UpstashBridgeOptions): Promise<UpstashBridge> {
	const redis = new RedisClient({ ...options.redis, commandTimeoutMs: 30_000 });
	const stats: UpstashBridgeStats = { requests: 0, commands: 0, unauthorized: 0 };

	/** Issued without awaiting in between, so they go out back to back on the shared connection. */
	function runAll(commands: Command[]): Promise<Array<{ ok: true; value: RedisReply } | { ok: false; error: Error }>> {
		stats.commands += commands.length;
		return Promise.all(commands.map((command) => settle(redis.command(command))));
	}

	async function single(command: Command, base64: boolean): Promise<[number, unknown]> {
		checkSupported(command);
		const [reply] = await runAll([command]);
		if (reply.ok) return [200, { result: toJson(reply.value, base64) }];
		if (reply.error instanceof RedisReplyError) return [400, { error: reply.error.message }];
		throw reply.error;
	}

	async function pipeline(commands: Command[], base64: boolean): Promise<[number, unknown]> {
		commands.forEach(checkSupported);
		const replies = await runAll(commands);
		const entries = replies.map((reply): Entry => {
			if (reply.ok) return { result: toJson(reply.value, base64) };
			if (reply.error instanceof RedisReplyError) return { error: reply.error.message };
			throw reply.error;
		});
		return [200, entries];
	}

	async function transaction(commands: Command[], base64: boolean): Promise<[number, unknown]> {
		commands.forEach(checkSupported);
		const replies = await runAll([['MULTI'], ...commands, ['EXEC']]);
		const connectionFailure = replies.find((reply) => !reply.ok && !(reply.error instanceof RedisReplyError));
		if (connectionFailure && !connectionFailure.ok) throw connectionFailure.error;
		const refused = replies.slice(1, -1).find((reply) => !reply.ok);
		if (refused && !refused.ok) return [400, { error: refused.error.message }]; // Redis discarded the transaction (EXECABORT)
		const exec = replies[replies.length - 1];
		if (!exec.ok) return [400, { error: exec.error.message }];
		const results = exec.value as Array<RedisReply | RedisReplyError>;
		return [200, results.map((reply): Entry => (reply instanceof RedisReplyError ? { error: reply.message } : { result: toJson(reply, base64) }))];
	}

	async function answer(request: http.IncomingMessage): Promise<[number, unknown]> {
		const method = request.method ?? 'GET';
		if (!ALLOWED_METHODS.has(method)) return [405, { error: `Method ${method} is not allowed: use HEAD, GET, POST or PUT` }];
		const url = new URL(request.url ?? '/', 'http://bridge');
		const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
		if ((bearer ?? url.searchParams.get('_token')) !== options.token) {
			stats.unauthorized++;
			return [401, { error: UNAUTHORIZED_ERROR }];
		}
		if (String(request.headers['upstash-response-format'] ?? 'json').toLowerCase() !== 'json') {
			return [400, { error: 'ERR only the json response format is implemented by this REST bridge' }];
		}
		const base64 = String(request.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
		const body = await readBody(request);
		if (method === 'POST' && url.pathname === '/pipeline') return await pipeline(parseCommands(parseJson(body)), base64);
		if (method === 'POST' && url.pathname === '/multi-exec') return await transaction(parseCommands(parseJson(body)), base64);
		if (url.pathname === '/' || url.pathname === '') {
			if (method !== 'POST') return [200, { result: 'Welcome to the Upstash-compatible test bridge: POST a command array' }];
			return await single(parseCommand(parseJson(body)), base64);
		}
		return await single(pathCommand(url, body, method), base64);
	}

	function handle(request: http.IncomingMessage, response: http.ServerResponse): void {
		stats.requests++;
		answer(request)
			.catch((error: Error): [number, unknown] => {
				if (error instanceof BadRequest) return [400, { error: error.message }];
				const what = error instanceof RedisConnectionError ? 'Redis is unreachable' : 'internal error';
				return [500, { error: `ERR ${what}: ${error.message}` }];
			})
			.then(([status, payload]) => {
				const text = JSON.stringify(payload);
				response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
				response.end(request.method === 'HEAD' ? undefined : text);
			});
	}

	let certificates: TestCertificates | undefined;
	let server: http.Server;
	if (options.tls) {
		certificates = createTestCertificates();
		server = https.createServer({ key: certificates.key, cert: certificates.cert }, handle);
	} else {
		server = http.createServer(handle);
	}
	server.keepAliveTimeout = 60_000;
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
		token: options.token,
		caFile: certificates?.caFile,
		ca: certificates?.ca,
		stats,
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
			await redis.close();
			certificates?.remove();
		},
	};
}
