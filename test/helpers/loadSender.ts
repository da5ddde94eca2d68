/**
 * Sends many HTTP POSTs over a fixed number of concurrent keep-alive connections, and measures
 * them. Used by the concurrency e2e test and tools/bench/trigger.ts. Loopback only; bounded by the
 * request count and a per-request timeout.
 */
import * as http from 'http';
import { httpRequest } from './n8nServer';

export interface PreparedRequest {
	url: string;
	headers: Record<string, string>;
	body: string | Buffer;
}

export interface SentRequest {
	status: number;
	body: string;
	ms: number;
	/** When the answer arrived, in ms since the first request was sent. */
	doneAtMs: number;
	/** Network error or timeout (status 0). */
	error?: string;
	/** Attempts made for this request (1 unless `retry` sent it again). */
	attempts: number;
}

/** Answers per second in each of `parts` equal slices of the answers, in the order they arrived: shows a slowdown as state grows. */
export function ratesOverTime(results: SentRequest[], parts: number): number[] {
	const done = results.map((result) => result.doneAtMs).sort((a, b) => a - b);
	const size = Math.floor(done.length / parts);
	return Array.from({ length: parts }, (_, part) => {
		const first = part * size;
		const last = part === parts - 1 ? done.length - 1 : first + size - 1;
		const from = first === 0 ? 0 : done[first - 1];
		return (last - first + 1) / ((done[last] - from) / 1000);
	});
}

export interface LoadReport {
	/** In request order. */
	results: SentRequest[];
	seconds: number;
	perSecond: number;
	p50: number;
	p99: number;
	/** Requests without the expected status (default 200) or with a network error. */
	failed: number;
	firstFailure?: string;
	/** Requests sent again by `retry` (each retry counted). */
	retries: number;
}

/**
 * Whether and where to send a request again that failed (network error, or not the expected status):
 * a request to send after `delayMs`, or undefined to keep the failure. `attempt` counts from 1.
 */
export type RetryPolicy = (index: number, failed: SentRequest, attempt: number) => { request: PreparedRequest; delayMs: number } | undefined;

function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export async function sendConcurrently(
	count: number,
	requestAt: (index: number) => PreparedRequest,
	options: { concurrency: number; timeoutMs?: number; expectStatus?: number; retry?: RetryPolicy },
): Promise<LoadReport> {
	const expected = options.expectStatus ?? 200;
	const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
	const results = new Array<SentRequest>(count);
	let next = 0;
	const started = process.hrtime.bigint();
	const since = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;
	let retries = 0;
	const send = async (request: PreparedRequest, attempts: number): Promise<SentRequest> => {
		const sentAt = process.hrtime.bigint();
		try {
			const response = await httpRequest(request.url, {
				method: 'POST',
				headers: request.headers,
				body: request.body,
				agent,
				timeoutMs: options.timeoutMs ?? 60_000,
			});
			return { status: response.status, body: response.body, ms: since(sentAt), doneAtMs: since(started), attempts };
		} catch (error) {
			return { status: 0, body: '', ms: since(sentAt), doneAtMs: since(started), error: (error as Error).message, attempts };
		}
	};
	const sender = async () => {
		while (next < count) {
			const index = next++;
			let result = await send(requestAt(index), 1);
			for (;;) {
				if (result.status === expected) break;
				const again = options.retry?.(index, result, result.attempts);
				if (again === undefined) break;
				retries++;
				await new Promise((resolve) => setTimeout(resolve, again.delayMs));
				result = await send(again.request, result.attempts + 1);
			}
			results[index] = result;
		}
	};
	await Promise.all(Array.from({ length: Math.min(options.concurrency, count) }, sender));
	const seconds = since(started) / 1000;
	agent.destroy();
	const latencies = results.map((result) => result.ms).sort((a, b) => a - b);
	const failures = results.filter((result) => result.status !== expected);
	const first = failures[0];
	return {
		results,
		seconds,
		perSecond: count / seconds,
		p50: percentile(latencies, 0.5),
		p99: percentile(latencies, 0.99),
		failed: failures.length,
		firstFailure: first ? (first.error ?? `${first.status} ${first.body.slice(0, 300)}`) : undefined,
		retries,
	};
}
