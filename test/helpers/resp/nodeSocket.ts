/*
 * Test-side copy of the package's former nodes/engine/state/nodeSocket.ts: a TCP socket and a timer,
 * which n8n's scanner forbids in node code. It serves the RESP client in this folder, the backend of
 * the Upstash-compatible REST bridge (test/helpers/upstashBridge.ts) and of the test services.
 */
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
