import { createHmac } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { parseBody } from '../../nodes/engine/ingest/parse';
import { MAX_REPORTED_REJECTIONS, ingestResponse } from '../../nodes/engine/ingest/response';
import {
	DEFAULT_SHARED_SECRET_HEADER,
	type WebhookAuth,
	verifyRequest,
	webhookAuthProblem,
} from '../../nodes/engine/ingest/verify';

const FIXTURES = join(__dirname, '..', 'fixtures', 'sources');
const SECRET = 'segment-shared-secret';

function hmacSha1Hex(secret: string, bytes: Buffer | string): string {
	return createHmac('sha1', secret).update(bytes).digest('hex');
}

function basicAuthorization(user: string, password = ''): string {
	return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function rejection(result: ReturnType<typeof verifyRequest>): string {
	if (result.ok) throw new Error('expected the request to be refused');
	return result.reason;
}

const signed: WebhookAuth = { kind: 'segmentSignature', secret: SECRET };

describe('verifyRequest: Segment signature', () => {
	// What the Webhooks destination sends: the bytes it signed, as it serialized them.
	const trackBody = Buffer.from(readFileSync(join(FIXTURES, 'segment-track.json'), 'utf8'));

	test('accepts a body whose X-Signature is the hex HMAC-SHA1 of its raw bytes', () => {
		expect(verifyRequest(signed, trackBody, { 'x-signature': hmacSha1Hex(SECRET, trackBody) })).toEqual({ ok: true });
	});

	test('verifies the raw bytes, not a re-serialization of the parsed JSON', () => {
		const raw = Buffer.from('{ "type" : "track",\n  "messageId": "m-1", "userId":"u1" ,"event":"Signed Up" }');
		const reserialized = JSON.stringify(JSON.parse(raw.toString('utf8')));
		expect(reserialized).not.toBe(raw.toString('utf8'));
		expect(verifyRequest(signed, raw, { 'x-signature': hmacSha1Hex(SECRET, raw) })).toEqual({ ok: true });
		expect(rejection(verifyRequest(signed, raw, { 'x-signature': hmacSha1Hex(SECRET, reserialized) }))).toBe(
			'X-Signature signature does not match the request body',
		);
	});

	test('key order is part of what is signed', () => {
		const raw = Buffer.from('{"userId":"u1","type":"track"}');
		const reordered = Buffer.from('{"type":"track","userId":"u1"}');
		expect(verifyRequest(signed, reordered, { 'x-signature': hmacSha1Hex(SECRET, raw) }).ok).toBe(false);
	});

	test('refuses a tampered body, a wrong secret and a missing header', () => {
		const signature = hmacSha1Hex(SECRET, trackBody);
		const tampered = Buffer.from(trackBody.toString('utf8').replace('"track"', '"identify"'));
		expect(rejection(verifyRequest(signed, tampered, { 'x-signature': signature }))).toBe(
			'X-Signature signature does not match the request body',
		);
		expect(verifyRequest(signed, trackBody, { 'x-signature': hmacSha1Hex('another-secret', trackBody) }).ok).toBe(false);
		expect(rejection(verifyRequest(signed, trackBody, {}))).toBe('missing X-Signature or X-Segment-Signature header');
	});

	test('reads header names case-insensitively and accepts upper-case hex', () => {
		const signature = hmacSha1Hex(SECRET, trackBody);
		expect(verifyRequest(signed, trackBody, { 'X-Signature': signature }).ok).toBe(true);
		expect(verifyRequest(signed, trackBody, { 'X-SIGNATURE': signature.toUpperCase() }).ok).toBe(true);
	});

	test('compares signatures of any length without throwing (timingSafeEqual needs equal lengths)', () => {
		for (const signature of ['', 'ab', 'not-hex-at-all', hmacSha1Hex(SECRET, trackBody).repeat(3)]) {
			expect(verifyRequest(signed, trackBody, { 'x-signature': signature }).ok).toBe(false);
		}
	});

	test('refuses a signature header sent twice', () => {
		const signature = hmacSha1Hex(SECRET, trackBody);
		expect(rejection(verifyRequest(signed, trackBody, { 'x-signature': [signature, signature] }))).toBe(
			'X-Signature header was sent more than once',
		);
		expect(verifyRequest(signed, trackBody, { 'x-signature': signature, 'X-Signature': signature }).ok).toBe(false);
	});

	test('never names the secret in a reason', () => {
		const reasons = [
			rejection(verifyRequest(signed, trackBody, {})),
			rejection(verifyRequest(signed, trackBody, { 'x-signature': 'bad' })),
			rejection(verifyRequest(signed, trackBody, { 'x-segment-signature': 'bad' })),
		];
		for (const reason of reasons) expect(reason).not.toContain(SECRET);
	});

	describe('Webhooks (Actions) batches', () => {
		const events = [
			{ type: 'track', messageId: 'm-1', userId: 'u1', event: 'Invited Teammate' },
			{ type: 'track', messageId: 'm-2', userId: 'u2', event: 'Viewed Pricing' },
		];
		// How action-destinations serializes a batch: JSON.stringify of the array of event data.
		const batchBody = Buffer.from(JSON.stringify(events));

		test('accepts X-Segment-Signature over the whole batch body', () => {
			expect(verifyRequest(signed, batchBody, { 'x-segment-signature': hmacSha1Hex(SECRET, batchBody) })).toEqual({ ok: true });
		});

		test('refuses an X-Segment-Signature that does not cover the whole body', () => {
			const firstOnly = hmacSha1Hex(SECRET, JSON.stringify(events[0]));
			expect(rejection(verifyRequest(signed, batchBody, { 'x-segment-signature': firstOnly }))).toBe(
				'X-Segment-Signature signature does not match the request body',
			);
		});

		test('accepts the legacy first-event X-Signature when the batch holds that one event only', () => {
			const single = Buffer.from(JSON.stringify([events[0]]));
			const firstOnly = hmacSha1Hex(SECRET, JSON.stringify(events[0]));
			expect(verifyRequest(signed, single, { 'x-signature': firstOnly })).toEqual({ ok: true });
		});

		test('refuses a legacy first-event X-Signature on a longer batch, saying how to fix it', () => {
			const firstOnly = hmacSha1Hex(SECRET, JSON.stringify(events[0]));
			const reason = rejection(verifyRequest(signed, batchBody, { 'x-signature': firstOnly }));
			expect(reason).toContain('signs only the first event of this batch');
			expect(reason).toContain('Use X-Segment-Signature Header');
		});

		test('finds the first element by scanning bytes, with brackets and commas inside strings', () => {
			const tricky = [{ type: 'track', event: 'a, ] } [ "quoted" \\ done', properties: { list: [1, { a: '}' }] } }];
			const body = Buffer.from(JSON.stringify(tricky));
			const firstOnly = hmacSha1Hex(SECRET, JSON.stringify(tricky[0]));
			expect(verifyRequest(signed, body, { 'x-signature': firstOnly }).ok).toBe(true);
			const appended = Buffer.from(JSON.stringify([...tricky, { type: 'track', event: 'forged' }]));
			expect(verifyRequest(signed, appended, { 'x-signature': firstOnly }).ok).toBe(false);
		});

		test('the real Actions fixture verifies with X-Segment-Signature', () => {
			const fixture = Buffer.from(readFileSync(join(FIXTURES, 'segment-actions-array.json'), 'utf8'));
			expect(verifyRequest(signed, fixture, { 'x-segment-signature': hmacSha1Hex(SECRET, fixture) }).ok).toBe(true);
		});
	});
});

describe('verifyRequest: Segment write key', () => {
	const auth: WebhookAuth = { kind: 'segmentWriteKey', writeKey: 'wk_9f8e7d' };
	const body = Buffer.from('{"batch":[],"sentAt":"2024-05-01T12:00:00.000Z"}');

	test('accepts Basic base64(writeKey + ":") as @segment/analytics-node sends it', () => {
		expect(verifyRequest(auth, body, { authorization: basicAuthorization('wk_9f8e7d') })).toEqual({ ok: true });
		expect(verifyRequest(auth, body, { Authorization: `basic ${Buffer.from('wk_9f8e7d:').toString('base64')}` }).ok).toBe(true);
	});

	test('ignores the password part, as Segment does', () => {
		expect(verifyRequest(auth, body, { authorization: basicAuthorization('wk_9f8e7d', 'anything') }).ok).toBe(true);
	});

	test('refuses a wrong key, a key with extra characters, another scheme and a missing header', () => {
		expect(rejection(verifyRequest(auth, body, { authorization: basicAuthorization('wk_other') }))).toBe('write key does not match');
		expect(verifyRequest(auth, body, { authorization: basicAuthorization('wk_9f8e7dX') }).ok).toBe(false);
		expect(verifyRequest(auth, body, { authorization: basicAuthorization('') }).ok).toBe(false);
		expect(rejection(verifyRequest(auth, body, { authorization: 'Bearer wk_9f8e7d' }))).toContain('is not HTTP Basic');
		expect(rejection(verifyRequest(auth, body, {}))).toBe('missing Authorization header');
	});

	test('never names the write key in a reason', () => {
		expect(rejection(verifyRequest(auth, body, { authorization: basicAuthorization('wk_other') }))).not.toContain('wk_9f8e7d');
	});
});

describe('verifyRequest: shared-secret header', () => {
	const auth: WebhookAuth = { kind: 'sharedSecretHeader', headerName: DEFAULT_SHARED_SECRET_HEADER, secret: 's3cr3t-value' };
	const body = Buffer.from('{"event":{"event":"$pageview"},"person":{}}');

	test('accepts the exact secret under any header-name case', () => {
		expect(verifyRequest(auth, body, { 'x-pql-secret': 's3cr3t-value' })).toEqual({ ok: true });
		expect(verifyRequest(auth, body, { 'X-PQL-SECRET': 's3cr3t-value' }).ok).toBe(true);
		expect(verifyRequest({ ...auth, headerName: 'x-pql-secret' }, body, { 'X-Pql-Secret': 's3cr3t-value' }).ok).toBe(true);
	});

	test('refuses anything but an exact match, of any length', () => {
		for (const sent of ['s3cr3t-valu', 's3cr3t-value ', 'S3CR3T-VALUE', '', 's3cr3t-value'.repeat(20)]) {
			expect(rejection(verifyRequest(auth, body, { 'x-pql-secret': sent }))).toBe('X-PQL-Secret header does not match the secret');
		}
	});

	test('names the missing header but never the secret', () => {
		expect(rejection(verifyRequest(auth, body, { 'x-other': 's3cr3t-value' }))).toBe('missing X-PQL-Secret header');
	});
});

describe('verifyRequest: settings', () => {
	const body = Buffer.from('{}');

	test('"none" accepts every request', () => {
		expect(verifyRequest({ kind: 'none' }, body, {})).toEqual({ ok: true });
	});

	test('an empty secret refuses every request instead of accepting an HMAC anyone can compute', () => {
		const emptyKeySignature = hmacSha1Hex('', body);
		expect(rejection(verifyRequest({ kind: 'segmentSignature', secret: '' }, body, { 'x-signature': emptyKeySignature }))).toBe(
			'the Segment credential has no Shared Secret',
		);
		expect(verifyRequest({ kind: 'segmentWriteKey', writeKey: '' }, body, { authorization: basicAuthorization('') }).ok).toBe(false);
		expect(verifyRequest({ kind: 'sharedSecretHeader', headerName: 'X-PQL-Secret', secret: '' }, body, { 'x-pql-secret': '' }).ok).toBe(
			false,
		);
	});

	test('webhookAuthProblem explains unusable settings and passes usable ones', () => {
		expect(webhookAuthProblem({ kind: 'sharedSecretHeader', headerName: 'X PQL', secret: 'x' })).toBe(
			'"X PQL" is not a valid HTTP header name',
		);
		expect(webhookAuthProblem({ kind: 'sharedSecretHeader', headerName: ' ', secret: 'x' })).toBe(
			'the shared-secret credential has no header name',
		);
		expect(webhookAuthProblem({ kind: 'sharedSecretHeader', headerName: ' X-PQL-Secret ', secret: 'x' })).toBeUndefined();
		expect(webhookAuthProblem({ kind: 'segmentSignature', secret: SECRET })).toBeUndefined();
		expect(webhookAuthProblem({ kind: 'segmentWriteKey', writeKey: '' })).toBe('the Segment credential has no Write Key');
	});
});

describe('parseBody', () => {
	const json = Buffer.from('{"type":"track","event":"Signed Up"}');

	test('parses JSON under the content types senders use', () => {
		for (const contentType of [
			'application/json',
			'application/json; charset=utf-8',
			'Application/JSON;charset="UTF-8"',
			'text/plain',
			'text/plain;charset=UTF-8',
			'application/vnd.segment+json',
			undefined,
			'',
		]) {
			expect(parseBody(json, contentType, 1024)).toEqual({ ok: true, payload: { type: 'track', event: 'Signed Up' } });
		}
	});

	test('parses arrays and Segment {batch} bodies, and strips a byte-order mark', () => {
		expect(parseBody(Buffer.from('[{"a":1},{"a":2}]'), 'application/json', 1024)).toEqual({ ok: true, payload: [{ a: 1 }, { a: 2 }] });
		expect(parseBody(Buffer.from('{"batch":[{"a":1}]}'), 'application/json', 1024)).toEqual({ ok: true, payload: { batch: [{ a: 1 }] } });
		expect(parseBody(Buffer.from('\ufeff{"a":1}'), 'application/json', 1024)).toEqual({ ok: true, payload: { a: 1 } });
	});

	test('refuses other content types with 415', () => {
		for (const contentType of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/html']) {
			const result = parseBody(json, contentType, 1024);
			expect(result).toMatchObject({ ok: false, status: 415 });
		}
		expect(parseBody(json, 'application/json; charset=iso-8859-1', 1024)).toEqual({
			ok: false,
			status: 415,
			reason: 'charset "iso-8859-1" is not supported; send UTF-8',
		});
	});

	test('refuses an oversize body with 413, naming the limit', () => {
		expect(parseBody(json, 'application/json', json.length)).toMatchObject({ ok: true });
		expect(parseBody(json, 'application/json', json.length - 1)).toEqual({
			ok: false,
			status: 413,
			reason: `request body is ${json.length} bytes, over the limit of ${json.length - 1} bytes`,
		});
	});

	test('checks the size before anything else, even for a type it would refuse', () => {
		expect(parseBody(Buffer.alloc(10), 'text/html', 5)).toMatchObject({ status: 413 });
	});

	test('refuses malformed JSON with 400, naming the position', () => {
		const result = parseBody(Buffer.from('{"type":"track",}'), 'application/json', 1024);
		expect(result).toMatchObject({ ok: false, status: 400 });
		if (result.ok) return;
		expect(result.reason).toMatch(/^request body is not valid JSON: /);
		expect(result.reason).toMatch(/position \d+/);
	});

	test('refuses an empty or blank body with 400', () => {
		for (const body of ['', '   \n']) {
			expect(parseBody(Buffer.from(body), 'application/json', 1024)).toEqual({ ok: false, status: 400, reason: 'request body is empty' });
		}
	});

	test('refuses bytes that are not UTF-8 with 400', () => {
		expect(parseBody(Buffer.from([0x7b, 0xff, 0x7d]), 'application/json', 1024)).toEqual({
			ok: false,
			status: 400,
			reason: 'request body is not valid UTF-8',
		});
	});
});

describe('ingestResponse', () => {
	const rejected = (count: number) =>
		Array.from({ length: count }, (_, index) => ({ index, reason: `event ${index}: not a recognised event shape` }));

	test('200 when at least one event was accepted, with every count', () => {
		expect(ingestResponse({ accepted: 2, duplicates: 1, rejected: rejected(1) })).toEqual({
			status: 200,
			body: { accepted: 2, duplicates: 1, rejected: 1, rejections: rejected(1) },
		});
	});

	test('200 when every event was a duplicate, so Segment stops retrying', () => {
		expect(ingestResponse({ accepted: 0, duplicates: 3, rejected: [] })).toEqual({
			status: 200,
			body: { accepted: 0, duplicates: 3, rejected: 0, rejections: [] },
		});
	});

	test('422 when no event was recognised, naming the first reasons', () => {
		const response = ingestResponse({ accepted: 0, duplicates: 0, rejected: rejected(2) });
		expect(response.status).toBe(422);
		expect(response.body.error).toBe(
			'no event in the request was recognised: event 0: not a recognised event shape; event 1: not a recognised event shape',
		);
		expect(response.body.rejected).toBe(2);
	});

	test('422 for a request with no events at all', () => {
		expect(ingestResponse({ accepted: 0, duplicates: 0, rejected: [] })).toEqual({
			status: 422,
			body: { accepted: 0, duplicates: 0, rejected: 0, rejections: [], error: 'the request contained no events' },
		});
	});

	test('lists only the first rejections and counts the rest', () => {
		const response = ingestResponse({ accepted: 1, duplicates: 0, rejected: rejected(12) });
		expect(response.body.rejected).toBe(12);
		expect(response.body.rejections).toEqual(rejected(MAX_REPORTED_REJECTIONS));
		expect(response.body.moreRejections).toBe(12 - MAX_REPORTED_REJECTIONS);
		expect(ingestResponse({ accepted: 0, duplicates: 0, rejected: rejected(12) }).body.error).not.toContain(
			`event ${MAX_REPORTED_REJECTIONS}:`,
		);
	});

	test('shortens very long reasons', () => {
		const response = ingestResponse({ accepted: 0, duplicates: 0, rejected: [{ index: 0, reason: 'x'.repeat(5000) }] });
		expect(response.body.rejections[0].reason.length).toBeLessThanOrEqual(300);
	});
});
