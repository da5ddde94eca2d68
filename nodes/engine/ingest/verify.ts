import { createHash, createHmac, timingSafeEqual } from 'crypto';

/** How the trigger authenticates a request; chosen by the trigger from its credential. */
export type WebhookAuth =
	| { kind: 'none' }
	| { kind: 'segmentSignature'; secret: string }
	| { kind: 'segmentWriteKey'; writeKey: string }
	| { kind: 'sharedSecretHeader'; headerName: string; secret: string };

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export type RequestHeaders = Record<string, string | string[] | undefined>;

/** The header users add to PostHog's HTTP webhook destination unless they pick another name. */
export const DEFAULT_SHARED_SECRET_HEADER = 'X-PQL-Secret';

// Segment Webhooks (Classic) and Webhooks (Actions): hex HMAC-SHA1 of the body with the Shared Secret.
// Actions signs only the FIRST event of a batched request in X-Signature; with the destination's
// "Use X-Segment-Signature Header" setting it signs the whole body in X-Segment-Signature instead.
// Sources: segmentio/segment-docs catalog/webhooks and catalog/actions-webhook,
// segmentio/action-destinations destinations/webhook/index.ts (extendRequest).
const SEGMENT_SIGNATURE_HEADER = 'X-Signature';
const SEGMENT_WHOLE_BODY_SIGNATURE_HEADER = 'X-Segment-Signature';

// @segment/analytics-node (publisher.ts) and the other server libraries send `Basic base64(writeKey + ':')`.
const AUTHORIZATION_HEADER = 'Authorization';

const OK: VerifyResult = { ok: true };

function fail(reason: string): VerifyResult {
	return { ok: false, reason };
}

/** Authenticates a request on its raw bytes, before anything parses or re-serializes the body. */
export function verifyRequest(auth: WebhookAuth, rawBody: Buffer, headers: RequestHeaders): VerifyResult {
	const misconfiguration = webhookAuthProblem(auth);
	if (misconfiguration !== undefined) return fail(misconfiguration);
	switch (auth.kind) {
		case 'none':
			return OK;
		case 'segmentSignature':
			return verifySegmentSignature(auth.secret, rawBody, headers);
		case 'segmentWriteKey':
			return verifySegmentWriteKey(auth.writeKey, headers);
		case 'sharedSecretHeader':
			return verifySharedSecretHeader(auth.headerName.trim(), auth.secret, headers);
	}
}

/**
 * Why these settings cannot authenticate anything, or undefined when they can. An empty secret is
 * refused rather than skipped: an HMAC keyed with '' is one anyone can compute.
 * The trigger's credential test reports this same text.
 */
export function webhookAuthProblem(auth: WebhookAuth): string | undefined {
	switch (auth.kind) {
		case 'none':
			return undefined;
		case 'segmentSignature':
			return auth.secret === '' ? 'the Segment credential has no Shared Secret' : undefined;
		case 'segmentWriteKey':
			return auth.writeKey === '' ? 'the Segment credential has no Write Key' : undefined;
		case 'sharedSecretHeader': {
			const headerName = auth.headerName.trim();
			if (headerName === '') return 'the shared-secret credential has no header name';
			if (!HTTP_TOKEN.test(headerName)) return `"${headerName}" is not a valid HTTP header name`;
			return auth.secret === '' ? 'the shared-secret credential has no secret' : undefined;
		}
	}
}

// RFC 9110 section 5.6.2 token: what a header field name may consist of.
const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

type HeaderLookup = { found: false } | { found: true; value: string } | { found: true; duplicated: true };

/** Header names are case-insensitive; a header sent twice is ambiguous and never guessed at. */
function readHeader(headers: RequestHeaders, name: string): HeaderLookup {
	const wanted = name.toLowerCase();
	const values: string[] = [];
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted || value === undefined) continue;
		values.push(...(Array.isArray(value) ? value : [value]));
	}
	if (values.length === 0) return { found: false };
	if (values.length > 1) return { found: true, duplicated: true };
	return { found: true, value: values[0] };
}

/** Hashing first gives timingSafeEqual equal lengths and hides the expected value's length. */
function constantTimeEqual(received: string | Buffer, expected: string | Buffer): boolean {
	const receivedDigest = createHash('sha256').update(received).digest();
	const expectedDigest = createHash('sha256').update(expected).digest();
	return timingSafeEqual(receivedDigest, expectedDigest);
}

function hmacSha1Hex(secret: string, bytes: Buffer): string {
	return createHmac('sha1', secret).update(bytes).digest('hex');
}

function verifySegmentSignature(secret: string, rawBody: Buffer, headers: RequestHeaders): VerifyResult {
	const wholeBody = readHeader(headers, SEGMENT_WHOLE_BODY_SIGNATURE_HEADER);
	if (wholeBody.found) {
		if ('duplicated' in wholeBody) return fail(`${SEGMENT_WHOLE_BODY_SIGNATURE_HEADER} header was sent more than once`);
		return constantTimeEqual(normalizeHex(wholeBody.value), hmacSha1Hex(secret, rawBody))
			? OK
			: fail(`${SEGMENT_WHOLE_BODY_SIGNATURE_HEADER} signature does not match the request body`);
	}
	const signature = readHeader(headers, SEGMENT_SIGNATURE_HEADER);
	if (!signature.found) {
		return fail(`missing ${SEGMENT_SIGNATURE_HEADER} or ${SEGMENT_WHOLE_BODY_SIGNATURE_HEADER} header`);
	}
	if ('duplicated' in signature) return fail(`${SEGMENT_SIGNATURE_HEADER} header was sent more than once`);
	const received = normalizeHex(signature.value);
	if (constantTimeEqual(received, hmacSha1Hex(secret, rawBody))) return OK;
	return verifyFirstEventSignature(secret, rawBody, received);
}

/**
 * Webhooks (Actions) batches are JSON arrays whose X-Signature covers only the first element's
 * bytes. A one-element array is then fully covered; a longer one is not, and is refused so that
 * nobody can append unsigned events to a signed one.
 */
function verifyFirstEventSignature(secret: string, rawBody: Buffer, received: string): VerifyResult {
	const first = firstArrayElement(rawBody);
	if (first === undefined || !constantTimeEqual(received, hmacSha1Hex(secret, rawBody.subarray(first.start, first.end)))) {
		return fail(`${SEGMENT_SIGNATURE_HEADER} signature does not match the request body`);
	}
	if (first.isOnlyElement) return OK;
	return fail(
		`${SEGMENT_SIGNATURE_HEADER} signs only the first event of this batch; turn on ` +
			`"Use X-Segment-Signature Header" in the Segment Webhooks (Actions) destination settings`,
	);
}

function normalizeHex(signature: string): string {
	return signature.trim().toLowerCase();
}

function verifySegmentWriteKey(writeKey: string, headers: RequestHeaders): VerifyResult {
	const authorization = readHeader(headers, AUTHORIZATION_HEADER);
	if (!authorization.found) return fail(`missing ${AUTHORIZATION_HEADER} header`);
	if ('duplicated' in authorization) return fail(`${AUTHORIZATION_HEADER} header was sent more than once`);
	const basic = /^Basic\s+(\S+)\s*$/i.exec(authorization.value);
	if (basic === null) return fail(`${AUTHORIZATION_HEADER} header is not HTTP Basic (expected "Basic base64(writeKey:)")`);
	const userAndPassword = Buffer.from(basic[1], 'base64').toString('utf8');
	const separator = userAndPassword.indexOf(':');
	// Segment ignores the password part; the write key is the user name.
	const sentWriteKey = separator === -1 ? userAndPassword : userAndPassword.slice(0, separator);
	return constantTimeEqual(sentWriteKey, writeKey) ? OK : fail('write key does not match');
}

function verifySharedSecretHeader(headerName: string, secret: string, headers: RequestHeaders): VerifyResult {
	const sent = readHeader(headers, headerName);
	if (!sent.found) return fail(`missing ${headerName} header`);
	if ('duplicated' in sent) return fail(`${headerName} header was sent more than once`);
	return constantTimeEqual(sent.value, secret) ? OK : fail(`${headerName} header does not match the secret`);
}

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isJsonWhitespace(byte: number | undefined): boolean {
	return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function skipWhitespace(bytes: Buffer, from: number): number {
	let index = from;
	while (isJsonWhitespace(bytes[index])) index++;
	return index;
}

function trimEnd(bytes: Buffer, start: number, end: number): number {
	let index = end;
	while (index > start && isJsonWhitespace(bytes[index - 1])) index--;
	return index;
}

/**
 * Where the first element of a top-level JSON array lies in the raw bytes, found without parsing
 * or re-serializing. Scanning bytes is safe for UTF-8: multi-byte sequences contain no ASCII bytes.
 */
function firstArrayElement(bytes: Buffer): { start: number; end: number; isOnlyElement: boolean } | undefined {
	const open = skipWhitespace(bytes, 0);
	if (bytes[open] !== OPEN_BRACKET) return undefined;
	const start = skipWhitespace(bytes, open + 1);
	let depth = 0;
	let inString = false;
	for (let index = start; index < bytes.length; index++) {
		const byte = bytes[index];
		if (inString) {
			if (byte === BACKSLASH) index++;
			else if (byte === QUOTE) inString = false;
			continue;
		}
		if (byte === QUOTE) inString = true;
		else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
		else if ((byte === CLOSE_BRACE || byte === CLOSE_BRACKET) && depth > 0) depth--;
		else if (depth === 0 && (byte === COMMA || byte === CLOSE_BRACKET)) {
			const end = trimEnd(bytes, start, index);
			if (end === start) return undefined;
			const isOnlyElement = byte === CLOSE_BRACKET && skipWhitespace(bytes, index + 1) === bytes.length;
			return { start, end, isOnlyElement };
		}
	}
	return undefined;
}
