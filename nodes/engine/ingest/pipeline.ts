import { expandPayload, tryNormalizeEvent, type EventSource, type NormalizeOptions, type PqlEvent } from '../events';
import { namedAccount } from '../identity';
import type { OutboxEntry, Prefetch, StateStore } from '../state/store';
import { eventKey, ingestEvents, type StreamSettings } from '../stream';
import { parseBody } from './parse';
import { ingestResponse, type RejectedEvent } from './response';
import { verifyRequest, type RequestHeaders, type WebhookAuth } from './verify';

/**
 * One webhook request, start to end, walking one way:
 * verify the raw bytes → parse → normalize → one store transaction (dedupe, documents, scores,
 * crossings into the outbox) → the HTTP answer. Crossings reach executions from the outbox.
 */
export interface IngestSettings extends StreamSettings {
	auth: WebhookAuth;
	source: EventSource | 'auto';
	normalize: NormalizeOptions;
	store: StateStore;
	maxBodyBytes: number;
	now: () => number;
}

export interface IngestRequest {
	rawBody: Buffer;
	headers: RequestHeaders;
}

export interface IngestResult {
	status: number;
	body: Record<string, unknown>;
	/** Crossings committed to the outbox by this request. */
	fired: OutboxEntry[];
	/** Events that changed stored state (what a snapshot would save). */
	counted: number;
}

function header(headers: RequestHeaders, name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

function normalizeAll(payload: unknown[], settings: IngestSettings) {
	const events: PqlEvent[] = [];
	/** Per normalized event, its position in the request. */
	const positions: number[] = [];
	const rejected: RejectedEvent[] = [];
	payload.forEach((raw, index) => {
		const event = tryNormalizeEvent(raw, settings.source, settings.normalize);
		if (typeof event === 'string') rejected.push({ index, reason: event });
		else {
			events.push(event);
			positions.push(index);
		}
	});
	return { events, positions, rejected };
}

/** What a request will read, so a store over the network loads it in one round trip. */
function prefetchOf(events: readonly PqlEvent[], settings: IngestSettings): Prefetch {
	const accounts = new Set<string>();
	const users = new Set<string>();
	const ids: string[] = [];
	for (const event of events) {
		const named = namedAccount(event, settings.accountFrom);
		if (named !== undefined) accounts.add(named);
		if (event.userId !== undefined) users.add(event.userId);
		if (event.id !== undefined) ids.push(eventKey(event.id));
	}
	return { accounts: [...accounts], users: [...users], events: ids };
}

export async function ingest(request: IngestRequest, settings: IngestSettings): Promise<IngestResult> {
	const verified = verifyRequest(settings.auth, request.rawBody, request.headers);
	if (!verified.ok) return { status: 401, body: { error: verified.reason }, fired: [], counted: 0 };
	const parsed = parseBody(request.rawBody, header(request.headers, 'content-type'), settings.maxBodyBytes);
	if (!parsed.ok) return { status: parsed.status, body: { error: parsed.reason }, fired: [], counted: 0 };

	const payload = expandPayload(parsed.payload);
	const { events, positions, rejected } = normalizeAll(payload, settings);
	if (events.length === 0) {
		const response = ingestResponse({ accepted: 0, duplicates: 0, rejected });
		return { status: response.status, body: { ...response.body }, fired: [], counted: 0 };
	}
	const now = settings.now();
	const outcome = await settings.store.transact((tx) => ingestEvents(tx, settings, events, now), prefetchOf(events, settings));
	for (const refused of outcome.refused) rejected.push({ index: positions[refused.index], reason: refused.reason });
	rejected.sort((a, b) => a.index - b.index);
	const response = ingestResponse({ accepted: outcome.accepted, duplicates: outcome.duplicates, rejected });
	const body: Record<string, unknown> = { ...response.body, unassigned: outcome.unassigned, fired: outcome.fired.length };
	if (response.status !== 200 && outcome.storeFull) {
		// Recognised, but refused for capacity: 507, and the answer says so rather than "not recognised".
		body.error = 'the built-in state store is full: events of new accounts are refused; switch the trigger to Redis Over REST for more accounts';
		return { status: 507, body, fired: outcome.fired, counted: outcome.counted };
	}
	return { status: response.status, body, fired: outcome.fired, counted: outcome.counted };
}
