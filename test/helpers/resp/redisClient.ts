import { openSocket, sleep, type Socket } from './nodeSocket';

/**
 * Test-side copy of the package's former nodes/engine/state/redisClient.ts (the package now reaches
 * Redis over HTTP only; see test/helpers/upstashBridge.ts).
 *
 * A minimal Redis client (RESP2 over node's `net`), so the package keeps zero runtime dependencies.
 * One connection; commands are pipelined (written as they come, replies matched in order);
 * AUTH / SELECT on every (re)connection; a lost connection fails the commands in flight and the
 * next command reconnects.
 */

export interface RedisConnectionOptions {
	host?: string;
	port?: number;
	username?: string;
	password?: string;
	db?: number;
	connectTimeoutMs?: number;
	/** A reply slower than this fails the commands in flight and drops the connection (replies could no longer be matched). */
	commandTimeoutMs?: number;
	/** Tries per connection before commands fail as unreachable. */
	connectAttempts?: number;
}

export type RedisReply = string | number | null | RedisReply[];

/** An error reply of the server; the message is Redis's own (e.g. "NOSCRIPT No matching script."). */
export class RedisReplyError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RedisReplyError';
	}
}

/** The server could not be reached, or the connection broke or timed out. Commands in flight may or may not have run. */
export class RedisConnectionError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'RedisConnectionError';
	}
}

const CRLF = '\r\n';
const DEFAULTS = { host: '127.0.0.1', port: 6379, db: 0, connectTimeoutMs: 5000, commandTimeoutMs: 10_000, connectAttempts: 3 };

/** redis://[user[:password]@]host[:port][/db] (rediss:// is refused: TLS is not built in). */
export function parseRedisUrl(url: string): RedisConnectionOptions {
	const parsed = new URL(url);
	if (parsed.protocol !== 'redis:') throw new Error(`Only redis:// URLs are supported, got ${parsed.protocol}//`);
	const db = parsed.pathname.replace(/^\//, '');
	return {
		host: parsed.hostname || undefined,
		port: parsed.port ? Number(parsed.port) : undefined,
		username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
		password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
		db: db ? Number(db) : undefined,
	};
}

export function encodeCommand(args: ReadonlyArray<string | number>): string {
	let out = `*${args.length}${CRLF}`;
	for (const arg of args) {
		const text = String(arg);
		out += `$${Buffer.byteLength(text)}${CRLF}${text}${CRLF}`;
	}
	return out;
}

type ParsedReply = RedisReply | RedisReplyError;
const INCOMPLETE = Symbol('incomplete');

/** Incremental RESP2 parser: feed it chunks, get back the complete replies. */
export class RespParser {
	private buffer: Buffer = Buffer.alloc(0);

	feed(chunk: Buffer): ParsedReply[] {
		this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
		const replies: ParsedReply[] = [];
		let offset = 0;
		while (offset < this.buffer.length) {
			const parsed = this.parse(offset);
			if (parsed === INCOMPLETE) break;
			replies.push(parsed.value);
			offset = parsed.next;
		}
		this.buffer = offset === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset);
		return replies;
	}

	private parse(offset: number): { value: ParsedReply; next: number } | typeof INCOMPLETE {
		const buffer = this.buffer;
		const lineEnd = buffer.indexOf(CRLF, offset);
		if (lineEnd < 0) return INCOMPLETE;
		const type = buffer[offset];
		const line = buffer.toString('utf8', offset + 1, lineEnd);
		const next = lineEnd + 2;
		switch (type) {
			case 0x2b: // +
				return { value: line, next };
			case 0x2d: // -
				return { value: new RedisReplyError(line), next };
			case 0x3a: // :
				return { value: Number(line), next };
			case 0x24: {
				// $
				const length = Number(line);
				if (length < 0) return { value: null, next };
				if (buffer.length < next + length + 2) return INCOMPLETE;
				return { value: buffer.toString('utf8', next, next + length), next: next + length + 2 };
			}
			case 0x2a: {
				// *
				const count = Number(line);
				if (count < 0) return { value: null, next };
				const items: RedisReply[] = [];
				let at = next;
				for (let i = 0; i < count; i++) {
					const item = this.parse(at);
					if (item === INCOMPLETE) return INCOMPLETE;
					// An error inside an array (EXEC) stays a value; callers that send such commands check for it.
					items.push(item.value as RedisReply);
					at = item.next;
				}
				return { value: items, next: at };
			}
			default:
				throw new RedisConnectionError(`Unexpected byte ${type} in a Redis reply: the connection is out of step`);
		}
	}
}

interface Pending {
	resolve(reply: RedisReply): void;
	reject(error: Error): void;
	command: string;
	sentAt: number;
}

/** One socket with the replies it still owes, in order. */
interface Connection {
	socket: Socket;
	pending: Pending[];
	parser: RespParser;
	corked: boolean;
	dropped: boolean;
}

export class RedisClient {
	private readonly options: Required<Omit<RedisConnectionOptions, 'username' | 'password'>> & Pick<RedisConnectionOptions, 'username' | 'password'>;
	private connection: Connection | undefined;
	private connecting: Promise<Connection> | undefined;
	private closed = false;
	/** Connections opened so far (1 = never reconnected). */
	connections = 0;

	constructor(options: RedisConnectionOptions = {}) {
		this.options = { ...DEFAULTS, ...stripUndefined(options) };
	}

	get address(): string {
		return `${this.options.host}:${this.options.port}`;
	}

	async command(args: ReadonlyArray<string | number>): Promise<RedisReply> {
		if (this.closed) throw new RedisConnectionError('The Redis client is closed');
		const connection = this.connection ?? (await this.connect());
		return this.send(connection, args);
	}

	async close(): Promise<void> {
		this.closed = true;
		const connection = this.connection ?? (await this.connecting?.catch(() => undefined));
		if (connection === undefined || connection.dropped) return;
		await new Promise<void>((resolve) => {
			connection.socket.once('close', () => resolve());
			// A server that does not hang up after QUIT is cut off after a second.
			connection.socket.setTimeout(1000, () => connection.socket.destroy());
			connection.socket.end(encodeCommand(['QUIT']));
		});
	}

	private send(connection: Connection, args: ReadonlyArray<string | number>): Promise<RedisReply> {
		return new Promise<RedisReply>((resolve, reject) => {
			if (connection.dropped) {
				reject(new RedisConnectionError(`Connection to Redis at ${this.address} closed`));
				return;
			}
			const now = Date.now();
			// The socket's idle timeout catches a silent server; this catches one that stalls while we keep writing.
			const oldest = connection.pending[0];
			if (oldest !== undefined && now - oldest.sentAt > this.options.commandTimeoutMs) {
				this.drop(connection, this.timeoutError(oldest));
				reject(this.timeoutError(oldest));
				return;
			}
			connection.pending.push({ resolve, reject, command: String(args[0]), sentAt: now });
			// Commands written in the same run of the event loop leave together.
			if (!connection.corked) {
				connection.corked = true;
				connection.socket.cork();
				queueMicrotask(() => {
					connection.corked = false;
					connection.socket.uncork();
				});
			}
			connection.socket.write(encodeCommand(args));
		});
	}

	private connect(): Promise<Connection> {
		this.connecting ??= this.connectWithRetries().finally(() => {
			this.connecting = undefined;
		});
		return this.connecting;
	}

	private async connectWithRetries(): Promise<Connection> {
		let lastError: Error | undefined;
		for (let attempt = 0; attempt < this.options.connectAttempts; attempt++) {
			if (attempt > 0) await sleep(100 * 2 ** (attempt - 1));
			const opened = await settle(
				this.open().then(async (connection) => {
					await this.handshake(connection);
					return connection;
				}),
			);
			if (!opened.ok) {
				if (opened.error instanceof RedisReplyError) throw opened.error; // AUTH / SELECT refused: retrying will not help
				lastError = opened.error;
				continue;
			}
			const connection = opened.value;
			this.connection = connection;
			this.connections++;
			return connection;
		}
		throw new RedisConnectionError(`Redis at ${this.address} is unreachable: ${lastError?.message}`);
	}

	private async open(): Promise<Connection> {
		const socket = await openSocket(this.options.host, this.options.port, this.options.connectTimeoutMs);
		socket.setNoDelay(true);
		socket.setKeepAlive(true, 30_000);
		socket.setTimeout(this.options.commandTimeoutMs);
		const connection: Connection = { socket, pending: [], parser: new RespParser(), corked: false, dropped: false };
		socket.on('data', (chunk: Buffer) => this.receive(connection, chunk));
		socket.on('timeout', () => {
			if (connection.pending.length > 0) this.drop(connection, this.timeoutError(connection.pending[0]));
		});
		socket.on('error', (error) => this.drop(connection, new RedisConnectionError(`Connection to Redis at ${this.address} failed: ${error.message}`)));
		socket.on('close', () => this.drop(connection, new RedisConnectionError(`Connection to Redis at ${this.address} closed`)));
		return connection;
	}

	private timeoutError(pending: Pending): RedisConnectionError {
		return new RedisConnectionError(`Redis at ${this.address} did not answer ${pending.command} within ${this.options.commandTimeoutMs} ms`);
	}

	private async handshake(connection: Connection): Promise<void> {
		const { username, password, db } = this.options;
		const refuse = (what: string, error: unknown): never => {
			this.drop(connection, new RedisConnectionError(`Redis at ${this.address} refused ${what}`));
			throw error instanceof RedisReplyError ? new RedisReplyError(`Redis at ${this.address} refused ${what}: ${error.message}`) : error;
		};
		if (password !== undefined) {
			await this.send(connection, username !== undefined ? ['AUTH', username, password] : ['AUTH', password]).catch((error) => refuse('the credentials', error));
		}
		if (db !== 0) await this.send(connection, ['SELECT', db]).catch((error) => refuse(`database ${db}`, error));
	}

	private receive(connection: Connection, chunk: Buffer): void {
		let replies: ParsedReply[];
		try {
			replies = connection.parser.feed(chunk);
		} catch (error) {
			this.drop(connection, error as Error);
			return;
		}
		for (const reply of replies) {
			const pending = connection.pending.shift();
			if (pending === undefined) continue;
			if (reply instanceof RedisReplyError) pending.reject(reply);
			else pending.resolve(reply);
		}
	}

	/** Fails everything in flight on the connection and forgets it; the next command reconnects. */
	private drop(connection: Connection, error: Error): void {
		if (connection.dropped) return;
		connection.dropped = true;
		if (this.connection === connection) this.connection = undefined;
		connection.socket.destroy();
		for (const pending of connection.pending.splice(0)) pending.reject(error);
	}
}

/**
 * A promise's value or error, without a catch clause. (Not `instanceof Error`: errors from node's
 * own modules come from another realm under test runners.)
 */
export function settle<T>(work: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Error }> {
	return work.then(
		(value) => ({ ok: true as const, value }),
		(error: Error) => ({ ok: false as const, error }),
	);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
