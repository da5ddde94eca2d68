import type { Company, ProviderName } from '../company';

/** What came back from one HTTP call to a provider: an answer, or no answer at all. */
export type HttpAnswer =
	| { status: number; headers: Record<string, string | string[] | undefined>; body: string }
	| { networkError: string; timedOut: boolean };

/** What one call means, decided from the provider's documented behaviour. Reasons leave out the provider's name: it is put in front where they are shown. */
export type ProviderOutcome =
	| { kind: 'matched'; company: Company; raw: unknown }
	| { kind: 'notFound' }
	/** 401 / 403: the credential is wrong or lacks access; no later call can succeed. */
	| { kind: 'rejectedCredentials'; reason: string }
	/** Out of credits or over a quota that will not reset in this execution. */
	| { kind: 'exhausted'; reason: string }
	/** Too many requests: wait `waitMs` (when the provider says how long), then try again. */
	| { kind: 'rateLimited'; waitMs: number | undefined; reason: string }
	/** 5xx, time-outs, connection errors: worth a bounded number of retries. */
	| { kind: 'retryable'; reason: string }
	/** Anything else (a bad request, malformed JSON): not worth a retry. */
	| { kind: 'failed'; reason: string };

export interface ProviderRequest {
	path: string;
	qs: Record<string, string>;
}

export interface ProviderSpec {
	name: ProviderName;
	/** The n8n credential type that authenticates the calls. */
	credentialType: string;
	request(domain: string): ProviderRequest;
	/** What the answer to the look-up of `domain` means. */
	interpret(answer: HttpAnswer, domain: string, now: number): ProviderOutcome;
}

export function header(answer: { headers: Record<string, string | string[] | undefined> }, name: string): string | undefined {
	const value = answer.headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** The parsed body, or undefined when it is not JSON. */
export function jsonBody(body: string): unknown {
	try {
		return JSON.parse(body) as unknown;
	} catch {
		return undefined;
	}
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Retry-After`: seconds, or an HTTP date. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
	const at = Date.parse(value);
	return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A short rendering of an error body for a reason text. */
export function detail(message: unknown): string {
	if (typeof message !== 'string' || message.trim() === '') return '';
	const trimmed = message.trim();
	return `: ${trimmed.length > 160 ? `${trimmed.slice(0, 157)}...` : trimmed}`;
}

/** What every provider's non-answer means: time-outs and connection errors are retried. */
function networkOutcome(answer: { networkError: string; timedOut: boolean }): ProviderOutcome {
	return { kind: 'retryable', reason: answer.timedOut ? 'did not answer in time' : `could not be reached (${answer.networkError})` };
}

/** The outcome of a 2xx whose body is not JSON. */
function malformed(status: number): ProviderOutcome {
	return { kind: 'failed', reason: `answered ${status} with a body that is not JSON` };
}

/** 5xx and unexpected statuses, shared by every provider. */
function otherStatus(status: number, message: string): ProviderOutcome {
	if (status >= 500) return { kind: 'retryable', reason: `failed with ${status}${message}` };
	return { kind: 'failed', reason: `answered ${status}${message}` };
}

export type HttpResponse = Extract<HttpAnswer, { status: number }>;

/** What differs between providers in reading an answer. */
export interface AnswerReader {
	/** A 2xx with a JSON body: a match, or the provider's way of saying no match. */
	success(body: unknown): ProviderOutcome;
	/** The provider's error text in an error body ('' when none), shown after the status. */
	errorMessage(body: unknown): string;
	/** Statuses with a provider-specific meaning; undefined = the common meaning. */
	status?(response: HttpResponse, message: string): ProviderOutcome | undefined;
}

/**
 * The reading every provider shares: no answer is retried, a 2xx that is not JSON fails, 404 is no
 * match, 401 a rejected key, 5xx retried; anything else fails with the provider's message.
 */
export function interpretAnswer(answer: HttpAnswer, reader: AnswerReader): ProviderOutcome {
	if ('networkError' in answer) return networkOutcome(answer);
	const body = jsonBody(answer.body);
	const { status } = answer;
	if (status >= 200 && status < 300) return body === undefined ? malformed(status) : reader.success(body);
	if (status === 404) return { kind: 'notFound' };
	const message = reader.errorMessage(body);
	const specific = reader.status?.(answer, message);
	if (specific !== undefined) return specific;
	if (status === 401) return { kind: 'rejectedCredentials', reason: `rejected the API key (401)${message}` };
	return otherStatus(status, message);
}
