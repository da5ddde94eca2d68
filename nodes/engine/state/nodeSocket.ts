/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals --
 * The Redis store needs a TCP socket and a timer, which n8n Cloud does not give community nodes
 * (the Redis store is meant for self-hosted n8n in queue mode). Everything of that kind is in
 * this file, so the rest of the engine passes the n8n Cloud lint rules. */
import { connect, type Socket } from 'net';

export type { Socket };

/** A connected TCP socket, or an error naming why not (refused, unresolvable, or no answer within `timeoutMs`). */
export function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
	return new Promise<Socket>((resolve, reject) => {
		const socket = connect({ host, port, timeout: timeoutMs });
		const fail = (error: Error) => {
			socket.destroy();
			reject(error);
		};
		socket.once('timeout', () => fail(new Error(`no connection within ${timeoutMs} ms`)));
		socket.once('error', fail);
		socket.once('connect', () => {
			socket.removeAllListeners('timeout');
			socket.removeAllListeners('error');
			socket.setTimeout(0);
			resolve(socket);
		});
	});
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
