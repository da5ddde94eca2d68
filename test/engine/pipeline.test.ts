import { createHmac } from 'crypto';
import { ingest, type IngestSettings } from '../../nodes/engine/ingest/pipeline';
import { compileModel } from '../../nodes/engine/rules/compile';
import { MemoryStateStore } from '../../nodes/engine/state/memoryStore';
import { DAY_MS } from '../../nodes/engine/time';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const SECRET = 'segment-shared-secret';

/** Score = events in the last 7 days; PQL at 3; tiers hot ≥ 5, warm ≥ 3. */
const model = compileModel({
	threshold: 3,
	tiers: [
		{ name: 'hot', minScore: 5 },
		{ name: 'warm', minScore: 3 },
		{ name: 'cold', minScore: null },
	],
	rules: [{ name: 'Activity', category: 'usage', type: 'eventCount', event: '*', windowDays: 7, pointsPer: 'unit', points: 1 }],
});

function setup(overrides: Partial<IngestSettings> = {}) {
	let now = NOW;
	const store = new MemoryStateStore({ now: () => now });
	const settings: IngestSettings = {
		auth: { kind: 'segmentSignature', secret: SECRET },
		source: 'auto',
		normalize: {},
		accountFrom: 'groupOrEmailDomain',
		model,
		store,
		crossing: { fireOn: 'threshold', cooldownDays: 7, hysteresis: 1, tiers: model.tiers },
		emit: 'crossing',
		maxBodyBytes: 64 * 1024,
		now: () => now,
		...overrides,
	};
	let sequence = 0;
	const track = (accountId: string, at = now, extra: Record<string, unknown> = {}) => ({
		type: 'track',
		messageId: `m-${++sequence}`,
		userId: `user-of-${accountId}`,
		event: 'Report Viewed',
		timestamp: new Date(at).toISOString(),
		context: { groupId: accountId },
		...extra,
	});
	const post = async (body: unknown, headers: Record<string, string> = {}) => {
		const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
		const signature = createHmac('sha1', SECRET).update(raw).digest('hex');
		return await ingest({ rawBody: raw, headers: { 'content-type': 'application/json', 'x-signature': signature, ...headers } }, settings);
	};
	return { store, settings, track, post, advance: (days: number) => (now += days * DAY_MS) };
}

describe('ingest pipeline', () => {
	test('a bad signature is refused with 401 and nothing is counted', async () => {
		const { post, track, store } = setup();
		const outcome = await post(track('acme'), { 'x-signature': 'f'.repeat(40) });
		expect(outcome.status).toBe(401);
		expect(outcome.body.error).toMatch(/does not match/);
		expect(store.peekAccount('acme')).toBeUndefined();
		expect(outcome.fired).toEqual([]);
	});

	test('malformed JSON is a 400; a body with no event is a 422; nothing is counted', async () => {
		const { post, store } = setup();
		expect((await post('{"type": "track",')).status).toBe(400);
		const unrecognised = await post({ hello: 'world' });
		expect(unrecognised.status).toBe(422);
		expect(unrecognised.body.rejections).toEqual([{ index: 0, reason: expect.stringContaining('unrecognised event shape') }]);
		expect(store.accountCount).toBe(0);
	});

	test('a batch with bad events counts the good ones and says why the others were rejected', async () => {
		const { post, track, store } = setup();
		const outcome = await post({ batch: [track('acme'), { type: 'track', userId: 'x' }, track('acme')] });
		expect(outcome.status).toBe(200);
		expect(outcome.body).toMatchObject({ accepted: 2, rejected: 1, rejections: [{ index: 1, reason: expect.stringMatching(/timestamp/) }] });
		expect(store.peekAccount('acme')!.named.eventCounts).toEqual({ 'Report Viewed': 2 });
	});

	test('a repeated messageId is not counted again', async () => {
		const { post, track, store } = setup();
		const event = track('acme');
		await post(event);
		const retry = await post(event);
		expect(retry.body).toMatchObject({ accepted: 0, duplicates: 1 });
		expect(store.peekAccount('acme')!.named.eventCounts).toEqual({ 'Report Viewed': 1 });
	});

	test('an account fires once when it crosses, with the event that tipped it', async () => {
		const { post, track, store } = setup();
		const fired = [];
		for (let n = 0; n < 6; n++) fired.push(...(await post(track('acme'))).fired);
		expect(fired).toHaveLength(1);
		expect(fired[0]).toMatchObject({ fireId: 'acme:1', accountId: 'acme', at: NOW });
		expect(fired[0].item).toMatchObject({ fireId: 'acme:1', trigger: 'crossedThreshold', previousScore: 2, accountId: 'acme', score: 3, isPql: true });
		expect(fired[0].item.triggeringEvent).toMatchObject({ name: 'Report Viewed', userId: 'user-of-acme', source: 'segment' });
		// Committed to the outbox with the request: an execution starts from there.
		expect((await store.pendingFires(10)).map((entry) => entry.fireId)).toEqual(['acme:1']);
	});

	test('a crossing inside one batch fires once', async () => {
		const { post, track } = setup();
		const outcome = await post({ batch: [track('acme'), track('acme'), track('acme'), track('acme')] });
		expect(outcome.fired.map((entry) => entry.item.score)).toEqual([4]);
		expect(outcome.body).toMatchObject({ accepted: 4, fired: 1 });
	});

	test('after the window empties the account re-arms, but the cooldown holds the next fire', async () => {
		const { post, track, advance } = setup();
		for (let n = 0; n < 3; n++) await post(track('acme'));
		advance(8); // the old events leave the 7-day window: score falls to 1 < 3 − 1, the account re-arms
		expect((await post(track('acme'))).fired).toEqual([]);
		const secondCrossing = [];
		for (let n = 0; n < 3; n++) secondCrossing.push(...(await post(track('acme', NOW + 8 * DAY_MS))).fired);
		// 8 days after the first fire: past the 7-day cooldown, so the second crossing fires.
		expect(secondCrossing.map((entry) => [entry.fireId, entry.item.trigger])).toEqual([['acme:2', 'crossedThreshold']]);
	});

	test('dipping within the re-arm margin does not fire again', async () => {
		const { settings, post, track, advance } = setup();
		settings.crossing = { ...settings.crossing, cooldownDays: 0, hysteresis: 5 };
		for (let n = 0; n < 3; n++) await post(track('acme'));
		advance(8);
		const again = [];
		for (let n = 0; n < 3; n++) again.push(...(await post(track('acme'))).fired);
		// Score fell to 1, which is not below 3 − 5: never re-armed.
		expect(again).toEqual([]);
	});

	test('tier changes fire on the way up', async () => {
		const { settings, post, track } = setup();
		settings.crossing = { ...settings.crossing, fireOn: 'tierChange', cooldownDays: 0, hysteresis: 0 };
		const fired = [];
		for (let n = 0; n < 5; n++) fired.push(...(await post(track('acme'))).fired);
		expect(fired.map((entry) => [entry.item.trigger, entry.item.previousTier, entry.item.tier])).toEqual([
			['tierChanged', 'cold', 'warm'],
			['tierChanged', 'warm', 'hot'],
		]);
	});

	test('events without a group count for the account the user was seen in', async () => {
		const { post, track, store } = setup();
		await post(track('acme'));
		const { context, ...withoutGroup } = track('acme');
		void context;
		await post(withoutGroup);
		// Kept on the user (it named no account) and counted for the account the user belongs to.
		expect(store.peekAccount('acme')!.named.eventCounts).toEqual({ 'Report Viewed': 1 });
		expect(store.peekAccount('acme')!.floatingUsers).toEqual(['user-of-acme']);
		expect(store.peekUser('user-of-acme')).toMatchObject({ floatingAccount: 'acme', floating: { eventCounts: { 'Report Viewed': 1 } } });
		const third = await post({ ...withoutGroup, messageId: 'ungrouped-2' });
		expect(third.fired.map((entry) => [entry.accountId, entry.item.score, entry.item.eventCounts])).toEqual([['acme', 3, { 'Report Viewed': 3 }]]);
	});

	test('every-event mode emits each scored event (debugging)', async () => {
		const { settings, post, track } = setup();
		settings.emit = 'everyEvent';
		const outcome = await post({ batch: [track('acme'), track('globex')] });
		expect(outcome.fired.map((entry) => [entry.item.trigger, entry.item.accountId])).toEqual([
			['scored', 'acme'],
			['scored', 'globex'],
		]);
	});
});
