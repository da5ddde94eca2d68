/**
 * An SMTP server with as much of RFC 5321 as nodemailer (n8n's Send Email node) uses: greeting,
 * EHLO/HELO, STARTTLS (RFC 3207, with the test certificate), AUTH PLAIN and LOGIN (RFC 4954),
 * MAIL FROM, RCPT TO, DATA with dot-unstuffing, RSET, NOOP, QUIT. Each accepted message is
 * recorded with its envelope, the authenticated user, whether the session was encrypted, and
 * the message parsed (./mime.ts). Loopback only.
 */
import * as net from 'net';
import * as tls from 'tls';
import type { AddressInfo } from 'net';
import { parseMail, type ParsedMail } from './mime';

export interface ReceivedMail extends ParsedMail {
	from: string;
	to: string[];
	raw: string;
	/** The user that authenticated, if any. */
	user: string | undefined;
	/** Whether the message came over TLS (STARTTLS). */
	secure: boolean;
}

export interface SmtpStandInOptions {
	/** Offer STARTTLS with this key and certificate. */
	tls?: { key: string; cert: string };
	/** Require AUTH with these credentials (only after STARTTLS when `tls` is given). */
	auth?: { user: string; pass: string };
	hostName?: string;
}

export interface SmtpStandIn {
	readonly host: string;
	readonly port: number;
	readonly messages: ReceivedMail[];
	/** Every command line received (AUTH secrets masked), for protocol assertions. */
	readonly commands: string[];
	waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
	close(): Promise<void>;
}

const address = (argument: string) => /<([^>]*)>/.exec(argument)?.[1] ?? argument.trim();

export async function startSmtpStandIn(options: SmtpStandInOptions = {}): Promise<SmtpStandIn> {
	const messages: ReceivedMail[] = [];
	const commands: string[] = [];
	const sockets = new Set<net.Socket>();
	const name = options.hostName ?? 'smtp.pql-e2e.test';

	function session(plain: net.Socket): void {
		let socket: net.Socket = plain;
		let secure = false;
		let buffer = '';
		let user: string | undefined;
		let from: string | undefined;
		let to: string[] = [];
		let data: string[] | undefined;
		let pendingAuth: ((line: string) => void) | undefined;
		const reply = (text: string) => socket.write(`${text}\r\n`);
		const canAuth = () => options.auth !== undefined && (secure || options.tls === undefined);

		function checkAuth(login: string, pass: string): void {
			if (options.auth && login === options.auth.user && pass === options.auth.pass) {
				user = login;
				reply('235 2.7.0 Authentication successful');
			} else {
				reply('535 5.7.8 Authentication credentials invalid');
			}
		}

		function command(line: string): void {
			const [verb, ...rest] = line.split(' ');
			const argument = rest.join(' ');
			const upper = verb.toUpperCase();
			commands.push(upper === 'AUTH' ? `AUTH ${rest[0] ?? ''}` : line);
			switch (upper) {
				case 'EHLO': {
					const lines = [name, 'PIPELINING', '8BITMIME', 'SMTPUTF8', 'SIZE 10485760'];
					if (options.tls && !secure) lines.push('STARTTLS');
					if (canAuth()) lines.push('AUTH PLAIN LOGIN');
					lines.forEach((text, i) => reply(`250${i === lines.length - 1 ? ' ' : '-'}${text}`));
					return;
				}
				case 'HELO':
					return void reply(`250 ${name}`);
				case 'STARTTLS':
					if (!options.tls || secure) return void reply('502 5.5.1 STARTTLS not available');
					reply('220 2.0.0 Ready to start TLS');
					socket.removeAllListeners('data');
					socket = new tls.TLSSocket(plain, { isServer: true, key: options.tls.key, cert: options.tls.cert });
					secure = true;
					buffer = '';
					socket.on('data', onData);
					socket.on('error', () => socket.destroy());
					return;
				case 'AUTH': {
					if (!canAuth()) return void reply('503 5.5.1 AUTH not available');
					const [mechanism, initial] = rest;
					if (mechanism?.toUpperCase() === 'PLAIN') {
						const finish = (encoded: string) => {
							const [, login, pass] = Buffer.from(encoded, 'base64').toString('utf8').split('\0');
							checkAuth(login ?? '', pass ?? '');
						};
						if (initial) return finish(initial);
						pendingAuth = (answer) => finish(answer);
						return void reply('334 ');
					}
					if (mechanism?.toUpperCase() === 'LOGIN') {
						const askPassword = (encodedUser: string) => {
							pendingAuth = (encodedPass) =>
								checkAuth(Buffer.from(encodedUser, 'base64').toString('utf8'), Buffer.from(encodedPass, 'base64').toString('utf8'));
							reply('334 UGFzc3dvcmQ6');
						};
						if (initial) return askPassword(initial);
						pendingAuth = askPassword;
						return void reply('334 VXNlcm5hbWU6');
					}
					return void reply('504 5.5.4 Unrecognized authentication type');
				}
				case 'MAIL':
					if (options.auth && !user) return void reply('530 5.7.0 Authentication required');
					from = address(argument.replace(/^FROM:/i, ''));
					to = [];
					return void reply('250 2.1.0 Ok');
				case 'RCPT':
					if (from === undefined) return void reply('503 5.5.1 Error: need MAIL command');
					to.push(address(argument.replace(/^TO:/i, '')));
					return void reply('250 2.1.5 Ok');
				case 'DATA':
					if (from === undefined || to.length === 0) return void reply('503 5.5.1 Error: need RCPT command');
					data = [];
					return void reply('354 End data with <CR><LF>.<CR><LF>');
				case 'RSET':
					from = undefined;
					to = [];
					return void reply('250 2.0.0 Ok');
				case 'NOOP':
					return void reply('250 2.0.0 Ok');
				case 'QUIT':
					reply('221 2.0.0 Bye');
					return void socket.end();
				default:
					return void reply('502 5.5.2 Error: command not recognized');
			}
		}

		function line(text: string): void {
			if (data !== undefined) {
				if (text !== '.') return void data.push(text.startsWith('..') ? text.slice(1) : text);
				const raw = `${data.join('\r\n')}\r\n`;
				data = undefined;
				messages.push({ ...parseMail(raw), from: from!, to, raw, user, secure });
				from = undefined;
				to = [];
				return void reply(`250 2.0.0 Ok: queued as M${messages.length}`);
			}
			if (pendingAuth) {
				const answer = pendingAuth;
				pendingAuth = undefined;
				commands.push('(auth response)');
				return answer(text);
			}
			command(text);
		}

		function onData(chunk: Buffer): void {
			buffer += chunk.toString('utf8');
			let end: number;
			while ((end = buffer.indexOf('\r\n')) !== -1) {
				const text = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				line(text);
			}
		}

		socket.on('data', onData);
		socket.on('error', () => socket.destroy());
		reply(`220 ${name} ESMTP stand-in`);
	}

	const server = net.createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		session(socket);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		host: '127.0.0.1',
		port,
		messages,
		commands,
		async waitForMessages(count, timeoutMs = 30_000) {
			const started = Date.now();
			while (messages.length < count) {
				if (Date.now() - started > timeoutMs) throw new Error(`SMTP stand-in: ${messages.length} of ${count} messages after ${timeoutMs} ms`);
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
			return messages;
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const socket of sockets) socket.destroy();
				server.close(() => resolve());
			}),
	};
}
