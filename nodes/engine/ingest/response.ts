export interface RejectedEvent {
	/** Position of the event in the request (0 for a single-event body). */
	index: number;
	reason: string;
}

export interface IngestOutcome {
	accepted: number;
	duplicates: number;
	rejected: RejectedEvent[];
}

export interface IngestResponseBody {
	accepted: number;
	duplicates: number;
	rejected: number;
	/** The first MAX_REPORTED_REJECTIONS rejections, in request order. */
	rejections: RejectedEvent[];
	/** Present when more events were rejected than `rejections` lists. */
	moreRejections?: number;
	/** Present on 422 only: why the request as a whole was refused. */
	error?: string;
}

export interface IngestResponse {
	status: 200 | 422;
	body: IngestResponseBody;
}

/** Enough to diagnose a bad sender configuration without echoing a 4000-event batch back. */
export const MAX_REPORTED_REJECTIONS = 5;
const MAX_REASON_LENGTH = 300;

/**
 * The HTTP answer to one webhook request.
 *
 * 200, not 202: the trigger answers after the events have been counted into account state, so
 * the work is done rather than queued. Duplicates count as recognised: they are Segment's retries
 * of events already counted, and only a 2xx stops those retries.
 * 422 when nothing in the request was recognised (including an empty batch): the body was JSON
 * but not events we understand, which is a sender misconfiguration that retrying will not fix.
 */
export function ingestResponse(outcome: IngestOutcome): IngestResponse {
	const { accepted, duplicates, rejected } = outcome;
	const body: IngestResponseBody = {
		accepted,
		duplicates,
		rejected: rejected.length,
		rejections: rejected.slice(0, MAX_REPORTED_REJECTIONS).map(({ index, reason }) => ({
			index,
			reason: shorten(reason),
		})),
	};
	if (rejected.length > MAX_REPORTED_REJECTIONS) body.moreRejections = rejected.length - MAX_REPORTED_REJECTIONS;
	if (accepted + duplicates > 0) return { status: 200, body };
	body.error = rejected.length === 0 ? 'the request contained no events' : noEventRecognised(body.rejections);
	return { status: 422, body };
}

function noEventRecognised(rejections: RejectedEvent[]): string {
	return `no event in the request was recognised: ${rejections.map((rejection) => rejection.reason).join('; ')}`;
}

function shorten(reason: string): string {
	return reason.length <= MAX_REASON_LENGTH ? reason : `${reason.slice(0, MAX_REASON_LENGTH - 1)}…`;
}
