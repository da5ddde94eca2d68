import { decideCrossing, type CrossingOptions, type CrossingReason } from '../crossing';
import { expandPayload, tryNormalizeEvent, type EventSource, type NormalizeOptions, type PqlEvent } from '../events';
import { companyDomain, type AccountSource } from '../identity';
import type { CompiledModel } from '../rules/compile';
import { scoreSubject, type ScoreResult } from '../score';
import { applyEvent, stateFeatures, stateSummary } from '../state/accountState';
import type { StateStore } from '../state/store';
import { toIso } from '../time';
import { parseBody } from './parse';
import { ingestResponse, type RejectedEvent } from './response';
import { verifyRequest, type RequestHeaders, type WebhookAuth } from './verify';

/**
 * One webhook request, start to end, walking one way:
 * verify the raw bytes → parse → normalize → dedupe → attribute to an account → update its state
 * → score → decide the crossing. Returns the HTTP answer and the accounts that fired.
 */
export interface IngestSettings {
	auth: WebhookAuth;
	source: EventSource | 'auto';
	normalize: NormalizeOptions;
	accountFrom: AccountSource;
	model: CompiledModel;
	store: StateStore;
	crossing: CrossingOptions;
	/** crossing: fire on crossings / tier changes. everyEvent: emit every scored event (debugging). */
	emit: 'crossing' | 'everyEvent';
	maxBodyBytes: number;
	now: () => number;
}

export interface IngestRequest {
	rawBody: Buffer;
	headers: RequestHeaders;
}

export interface FiredAccount {
	trigger: CrossingReason | 'scored';
	result: ScoreResult;
	previousScore: number | null;
	previousTier: string | null;
	/** The event that tipped the account. */
	event: { id: string | null; name: string; userId: string | null; timestamp: string | null; source: string };
}

export interface IngestResult {
	status: number;
	body: Record<string, unknown>;
	fired: FiredAccount[];
	/** Events that changed stored state (what a snapshot would save). */
	counted: number;
}

function header(headers: RequestHeaders, name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

function normalizeAll(payload: unknown[], settings: IngestSettings): { events: PqlEvent[]; rejected: RejectedEvent[] } {
	const events: PqlEvent[] = [];
	const rejected: RejectedEvent[] = [];
	payload.forEach((raw, index) => {
		const event = tryNormalizeEvent(raw, settings.source, settings.normalize);
		if (typeof event === 'string') rejected.push({ index, reason: event });
		else events.push(event);
	});
	return { events, rejected };
}

/** The account an event counts for: the one it names, else the user's known account, else a company e-mail domain. */
async function accountOf(event: PqlEvent, settings: IngestSettings): Promise<string | undefined> {
	const { accountFrom } = settings;
	const named = accountFrom === 'emailDomain' ? undefined : event.accountId;
	if (named !== undefined) {
		if (event.userId !== undefined) await settings.store.linkUser(event.userId, named);
		return named;
	}
	if (event.userId !== undefined) {
		const known = await settings.store.accountOfUser(event.userId);
		if (known !== undefined) return known;
	}
	if (accountFrom === 'group') return undefined;
	const domain = companyDomain(event.email);
	if (domain !== undefined && event.userId !== undefined) await settings.store.linkUser(event.userId, domain);
	return domain;
}

function describeEvent(event: PqlEvent): FiredAccount['event'] {
	return { id: event.id ?? null, name: event.name, userId: event.userId ?? null, timestamp: toIso(event.timestamp), source: event.source };
}

/** Updates the event's account, scores it and decides the crossing, atomically per account; undefined when the event has no account. */
async function countEvent(event: PqlEvent, settings: IngestSettings) {
	const accountId = await accountOf(event, settings);
	if (accountId === undefined) return undefined;
	const { model, crossing } = settings;
	return await settings.store.updateAccount(accountId, (previous) => {
		const state = applyEvent(model, previous, event, accountId);
		const asOf = Math.max(settings.now(), state.lastSeen ?? -Infinity);
		const result = scoreSubject(model, stateSummary(state), stateFeatures(model, state, asOf), asOf);
		const memory = state.crossing;
		const decision = decideCrossing(memory, result, crossing);
		state.crossing = decision.memory;
		return { state, result: { result, decision, previousScore: memory?.lastScore ?? null } };
	});
}

export async function ingest(request: IngestRequest, settings: IngestSettings): Promise<IngestResult> {
	const verified = verifyRequest(settings.auth, request.rawBody, request.headers);
	if (!verified.ok) return { status: 401, body: { error: verified.reason }, fired: [], counted: 0 };
	const parsed = parseBody(request.rawBody, header(request.headers, 'content-type'), settings.maxBodyBytes);
	if (!parsed.ok) return { status: parsed.status, body: { error: parsed.reason }, fired: [], counted: 0 };

	const { events, rejected } = normalizeAll(expandPayload(parsed.payload), settings);
	if (events.length === 0) {
		const response = ingestResponse({ accepted: 0, duplicates: 0, rejected });
		return { status: response.status, body: { ...response.body }, fired: [], counted: 0 };
	}

	const fired: FiredAccount[] = [];
	let duplicates = 0;
	let unassigned = 0;
	let counted = 0;
	for (const event of events) {
		if (event.id !== undefined && !(await settings.store.isNewEvent(event.id))) {
			duplicates++;
			continue;
		}
		const outcome = await countEvent(event, settings).then(
			(counting) => ({ counting, failure: undefined }),
			(failure: Error) => ({ counting: undefined, failure }),
		);
		if (outcome.failure !== undefined) {
			// Not counted: let the sender's retry count it.
			if (event.id !== undefined) await settings.store.forgetEvent(event.id);
			throw outcome.failure;
		}
		const counting = outcome.counting;
		if (counting === undefined) {
			unassigned++;
			continue;
		}
		counted++;
		const { result, decision, previousScore } = counting;
		if (!(decision.fire || settings.emit === 'everyEvent') || result.lastSeen === null) continue;
		fired.push({
			trigger: decision.fire ? decision.reason! : 'scored',
			result,
			previousScore,
			previousTier: decision.previousTier,
			event: describeEvent(event),
		});
	}
	const response = ingestResponse({ accepted: events.length - duplicates, duplicates, rejected });
	return { status: response.status, body: { ...response.body, unassigned, fired: fired.length }, fired, counted };
}
