import { readFileSync } from 'fs';
import { join } from 'path';
import {
	EventFormatError,
	GROUP_EVENT,
	IDENTIFY_EVENT,
	PAGE_VIEW_EVENT,
	PqlEvent,
	UNRECOGNISED_SHAPE,
	detectSource,
	expandPayload,
	normalizeEvent,
	normalizeEvents,
	normalizeGeneric,
	normalizeMixpanel,
	normalizePostHog,
	normalizeSegment,
} from '../../nodes/engine/events';

type Raw = Record<string, unknown>;

const FIXTURES = join(__dirname, '..', 'fixtures', 'sources');

function fixture<T = Raw>(name: string): T {
	return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

function jsonLines(name: string): Raw[] {
	return readFileSync(join(FIXTURES, name), 'utf8')
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => JSON.parse(line) as Raw);
}

/** Freezes the whole tree, so a normalizer that writes into its input throws (test files are strict mode). */
function deepFreeze<T>(value: T): T {
	if (typeof value === 'object' && value !== null) {
		for (const child of Object.values(value)) deepFreeze(child);
		Object.freeze(value);
	}
	return value;
}

const at = (iso: string) => Date.parse(iso);

describe('PostHog', () => {
	const webhookBody = () => fixture('posthog-webhook-body.json');

	it('normalizes the HTTP webhook destination body with person and groups', () => {
		const body = webhookBody();
		const event = normalizePostHog(body, {});
		expect(event).toEqual<PqlEvent>({
			id: '0192d6a5-3c1e-7f4b-9a61-2f0e6c1b8d42',
			source: 'posthog',
			kind: 'track',
			name: 'teammate_invited',
			userId: 'user_8842',
			accountId: 'acme-inc',
			email: 'jane.doe@acme.io',
			timestamp: at('2024-11-05T14:03:27.512Z'),
			properties: (body.event as Raw).properties as Raw,
			userTraits: {
				email: '  Jane.Doe@Acme.io ',
				name: 'Jane Doe',
				plan: 'trial',
				role: 'engineering manager',
			},
			accountTraits: { name: 'Acme Inc', employee_count: 240, industry: 'Software' },
			origin: undefined,
		});
		expect(event.timestamp).toBe(1730815407512);
	});

	it('selects the account group by accountGroupType', () => {
		const event = normalizePostHog(webhookBody(), { accountGroupType: 'project' });
		expect(event.accountId).toBe('proj_17');
		expect(event.accountTraits).toEqual({ name: 'Rocket launcher' });
	});

	it('takes the first group present when no type is configured', () => {
		expect(normalizePostHog(webhookBody(), { accountGroupType: '' }).accountId).toBe('acme-inc');
		expect(normalizePostHog(webhookBody(), { accountGroupType: '  ' }).accountId).toBe('acme-inc');
	});

	it('falls back to properties.$groups when the body has no groups', () => {
		const body = webhookBody();
		delete body.groups;
		const event = normalizePostHog(body, { accountGroupType: 'project' });
		expect(event.accountId).toBe('proj_17');
		expect(event.accountTraits).toBeUndefined();
	});

	it('has no account when the configured group type is absent', () => {
		const event = normalizePostHog(webhookBody(), { accountGroupType: 'team' });
		expect(event.accountId).toBeUndefined();
		expect(event.accountTraits).toBeUndefined();
		expect(event.userId).toBe('user_8842');
	});

	it('normalizes a raw $pageview into a page event with url and path', () => {
		const raw = fixture('posthog-pageview.json');
		const event = normalizePostHog(raw, { accountGroupType: 'company' });
		expect(event.kind).toBe('page');
		expect(event.name).toBe(PAGE_VIEW_EVENT);
		expect(event.id).toBe('0192d6b1-8e47-7a0c-b3f2-6d4e1a9c2f88');
		expect(event.userId).toBe('user_8842');
		expect(event.accountId).toBe('acme-inc');
		expect(event.accountTraits).toBeUndefined();
		expect(event.userTraits).toBeUndefined();
		expect(event.email).toBeUndefined();
		expect(event.timestamp).toBe(at('2024-11-05T14:10:02.004Z'));
		expect(event.properties.url).toBe('https://app.example.com/pricing?plan=team');
		expect(event.properties.path).toBe('/pricing');
		expect(event.properties.title).toBe('Pricing | Example');
		expect(event.properties.$browser).toBe('Chrome');
		// The added keys went into a copy.
		expect((raw.properties as Raw).url).toBeUndefined();
	});

	it('keeps url and path already present on a page event', () => {
		const raw = fixture('posthog-pageview.json');
		(raw.properties as Raw).url = 'https://custom.example.com/x';
		(raw.properties as Raw).path = '/x';
		const event = normalizePostHog(raw, {});
		expect(event.properties.url).toBe('https://custom.example.com/x');
		expect(event.properties.path).toBe('/x');
		expect(event.properties).toBe(raw.properties);
	});

	it('treats $screen as a page view named after the screen', () => {
		const event = normalizePostHog(
			{
				event: '$screen',
				distinct_id: 'm-1',
				timestamp: '2024-11-05T10:00:00Z',
				properties: { $screen_name: 'Billing' },
			},
			{},
		);
		expect(event.kind).toBe('page');
		expect(event.name).toBe(PAGE_VIEW_EVENT);
		expect(event.properties).toEqual({ $screen_name: 'Billing', name: 'Billing' });
	});

	it('normalizes $groupidentify into a group event without the synthetic group user', () => {
		const event = normalizePostHog(fixture('posthog-groupidentify.json'), { accountGroupType: 'company' });
		expect(event).toMatchObject({
			id: '0192d6c0-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
			kind: 'group',
			name: GROUP_EVENT,
			userId: undefined,
			accountId: 'acme-inc',
			accountTraits: { name: 'Acme Inc', plan: 'team-trial', employee_count: 240 },
			timestamp: at('2024-11-05T14:12:40.000Z'),
		});
	});

	it('keeps a real user on a browser $groupidentify', () => {
		const raw = fixture('posthog-groupidentify.json');
		raw.distinct_id = 'user_8842';
		const event = normalizePostHog(raw, {});
		expect(event.userId).toBe('user_8842');
		expect(event.accountId).toBe('acme-inc');
	});

	it('ignores a $groupidentify of another group type', () => {
		const raw = fixture('posthog-groupidentify.json');
		expect(() => normalizePostHog(raw, { accountGroupType: 'project' })).toThrow(
			new EventFormatError('missing "distinct_id"'),
		);
		raw.distinct_id = 'user_8842';
		const event = normalizePostHog(raw, { accountGroupType: 'project' });
		expect(event.accountId).toBeUndefined();
		expect(event.accountTraits).toBeUndefined();
	});

	it('merges $set_once < person properties < $set into userTraits on $identify', () => {
		const event = normalizePostHog(
			{
				event: {
					event: '$identify',
					distinct_id: 7,
					timestamp: '2024-11-05T10:00:00Z',
					properties: {
						$set: { plan: 'team', email: 'NEW@Example.com' },
						$set_once: { first_seen: '2024-01-01', role: 'ignored' },
					},
				},
				person: { id: 'p', properties: { plan: 'free', email: 'old@example.com', role: 'admin' } },
			},
			{},
		);
		expect(event.kind).toBe('identify');
		expect(event.name).toBe(IDENTIFY_EVENT);
		expect(event.userId).toBe('7');
		expect(event.userTraits).toEqual({
			first_seen: '2024-01-01',
			role: 'admin',
			plan: 'team',
			email: 'NEW@Example.com',
		});
		expect(event.email).toBe('new@example.com');
	});

	it('takes the email from properties when the person has none', () => {
		const event = normalizePostHog(
			{ event: 'signed_up', distinct_id: 'u', timestamp: '2024-11-05T10:00:00Z', properties: { email: ' A@B.CO ' } },
			{},
		);
		expect(event.email).toBe('a@b.co');
		expect(event.userTraits).toBeUndefined();
	});
});

describe('Segment', () => {
	it('normalizes a track call', () => {
		const raw = fixture('segment-track.json');
		expect(normalizeSegment(raw, {})).toEqual<PqlEvent>({
			id: 'ajs-f8ca1e4de5024d9430b3928bd8ac6b96',
			source: 'segment',
			kind: 'track',
			name: 'Teammate Invited',
			userId: 'AiUGstSDIg',
			accountId: 'acme-inc',
			email: 'peter@initech.com',
			timestamp: at('2015-12-12T19:11:01.249Z'),
			properties: { role: 'editor', invitees: 3 },
			userTraits: { email: 'Peter@Initech.com', plan: 'trial' },
			accountTraits: undefined,
			origin: undefined,
		});
	});

	it('normalizes an identify call, identify traits over context.traits', () => {
		const raw = fixture('segment-identify.json');
		raw.context = { traits: { plan: 'free', company: 'Initech' } };
		const event = normalizeSegment(raw, {});
		expect(event).toMatchObject({
			id: '022bb90c-bbac-11e4-8dfc-aa07a5b093db',
			kind: 'identify',
			name: IDENTIFY_EVENT,
			userId: '97980cfea0067',
			accountId: undefined,
			email: 'peter@example.com',
			timestamp: at('2015-02-23T22:28:55.111Z'),
			properties: {},
			accountTraits: undefined,
		});
		expect(event.userTraits).toEqual({ ...(raw.traits as Raw), company: 'Initech' });
		expect(event.userTraits?.plan).toBe('premium');
	});

	it('normalizes a group call: groupId is the account, traits are the account traits', () => {
		const event = normalizeSegment(fixture('segment-group.json'), {});
		expect(event).toMatchObject({
			kind: 'group',
			name: GROUP_EVENT,
			userId: '97980cfea0067',
			accountId: '0e8c78ea9d97a7b8185e8632',
			userTraits: undefined,
			accountTraits: {
				name: 'Initech',
				email: 'Billing@Initech.com',
				industry: 'Technology',
				employees: 329,
				plan: 'enterprise',
				'total billed': 830,
			},
		});
		// The group's e-mail is not the person's.
		expect(event.email).toBeUndefined();
	});

	it('prefers the group call groupId over context.groupId', () => {
		const raw = fixture('segment-group.json');
		raw.context = { groupId: 'other' };
		expect(normalizeSegment(raw, {}).accountId).toBe('0e8c78ea9d97a7b8185e8632');
	});

	it('ignores a top-level groupId outside group calls (not in the spec)', () => {
		const raw = fixture('segment-track.json');
		raw.groupId = 'not-spec';
		delete (raw.context as Raw).groupId;
		expect(normalizeSegment(raw, {}).accountId).toBeUndefined();
	});

	it('normalizes a page call, adding the page name to properties', () => {
		const raw = fixture('segment-page.json');
		const event = normalizeSegment(raw, {});
		expect(event.kind).toBe('page');
		expect(event.name).toBe(PAGE_VIEW_EVENT);
		expect(event.properties).toEqual({
			name: 'Pricing',
			path: '/pricing',
			referrer: 'https://www.example.com/',
			search: '',
			title: 'Pricing | Initech',
			url: 'https://www.example.com/pricing',
		});
		expect(raw.properties).not.toHaveProperty('name');
	});

	it('normalizes a screen call as a page view', () => {
		const [, screen] = fixture<Raw[]>('segment-actions-array.json');
		const event = normalizeSegment(screen, {});
		expect(event.kind).toBe('page');
		expect(event.name).toBe(PAGE_VIEW_EVENT);
		expect(event.properties).toEqual({ plan: 'team', name: 'Billing' });
	});

	it('falls back to anonymousId for the user', () => {
		const raw = fixture('segment-page.json');
		delete raw.userId;
		expect(normalizeSegment(raw, {}).userId).toBe('507f191e810c19729de860ea');
	});

	it.each([
		['sentAt', '2015-12-12T19:11:01.169Z'],
		['receivedAt', '2015-12-12T19:11:01.266Z'],
		['originalTimestamp', '2015-12-12T19:11:01.152Z'],
	])('falls back to %s for the timestamp', (field, iso) => {
		const raw = fixture('segment-track.json');
		for (const key of ['timestamp', 'sentAt', 'receivedAt', 'originalTimestamp']) {
			if (key !== field) delete raw[key];
		}
		expect(normalizeSegment(raw, {}).timestamp).toBe(at(iso));
	});

	it('rejects alias calls', () => {
		expect(() =>
			normalizeSegment({ type: 'alias', previousId: 'a', userId: 'b', timestamp: '2024-01-01T00:00:00Z' }, {}),
		).toThrow(
			new EventFormatError(
				'Segment alias calls are not supported: they only link two user ids (send identify calls instead)',
			),
		);
	});
});

describe('Mixpanel', () => {
	const rows = () => jsonLines('mixpanel-export.jsonl');

	it('normalizes an export row (time in epoch seconds)', () => {
		const [signup] = rows();
		expect(normalizeMixpanel(signup, { accountGroupType: 'company_id' })).toEqual<PqlEvent>({
			id: 'hpuDqcvpltpCjBsebtxwadtEBDnFAdycabFb',
			source: 'mixpanel',
			kind: 'track',
			name: 'Signed Up',
			userId: 'user_3003',
			accountId: 'hooli',
			email: 'lead@hooli.com',
			timestamp: 1730815200000,
			properties: signup.properties as Raw,
			userTraits: undefined,
			accountTraits: undefined,
			origin: undefined,
		});
	});

	it('has no account without accountGroupType', () => {
		const [signup] = rows();
		expect(normalizeMixpanel(signup, {}).accountId).toBeUndefined();
	});

	it('normalizes $mp_web_page_view into a page event; a list group key gives its first group', () => {
		const [, pageView] = rows();
		const event = normalizeMixpanel(pageView, { accountGroupType: 'company_id' });
		expect(event.kind).toBe('page');
		expect(event.name).toBe(PAGE_VIEW_EVENT);
		expect(event.accountId).toBe('hooli');
		expect(event.timestamp).toBe(1730815260000);
		expect(event.properties.url).toBe('https://app.example.com/pricing');
		expect(event.properties.path).toBe('/pricing');
		expect(event.properties.current_page_title).toBe('Pricing');
	});

	it('accepts millisecond times (export with time_in_ms)', () => {
		const event = normalizeMixpanel({ event: 'x', properties: { time: 1730815200123, distinct_id: 'u' } }, {});
		expect(event.timestamp).toBe(1730815200123);
		expect(event.id).toBeUndefined();
	});
});

describe('generic rows', () => {
	const rows = () => fixture<Raw[]>('generic-rows.json');

	it('normalizes a track row and reuses its properties object', () => {
		const [row] = rows();
		const event = normalizeGeneric(row, {});
		expect(event).toEqual<PqlEvent>({
			id: 'evt-1',
			source: 'generic',
			kind: 'track',
			name: 'project_created',
			userId: 'u-1',
			accountId: 'acct-9',
			email: undefined,
			timestamp: at('2024-11-05T09:00:00Z'),
			properties: { template: 'blank' },
			userTraits: undefined,
			accountTraits: undefined,
			origin: undefined,
		});
		expect(event.properties).toBe(row.properties);
	});

	it('reads snake_case ids, coerces numeric ids, and takes `time` in seconds', () => {
		const event = normalizeGeneric(rows()[1], {});
		expect(event).toMatchObject({
			kind: 'track',
			name: 'api_call',
			userId: '42',
			accountId: '7',
			timestamp: 1730797200000,
			properties: {},
			id: undefined,
		});
	});

	it('makes a row with traits and no event name an identify', () => {
		const event = normalizeGeneric(rows()[2], {});
		expect(event).toMatchObject({
			kind: 'identify',
			name: IDENTIFY_EVENT,
			userId: 'u-2',
			email: 'sam@example.org',
			userTraits: { email: ' Sam@Example.org', role: 'cto' },
			timestamp: at('2024-11-05T09:05:00.250Z'),
		});
	});

	it('makes the traits of a group row the account traits', () => {
		const event = normalizeGeneric(rows()[3], {});
		expect(event).toMatchObject({
			id: 'm-4',
			kind: 'group',
			name: GROUP_EVENT,
			userId: undefined,
			accountId: 'acct-9',
			userTraits: undefined,
			accountTraits: { name: 'Nine Corp', employees: 55 },
			timestamp: 1730797500000,
		});
	});

	it('normalizes a page row, keeping its name as the page name', () => {
		const row = rows()[4];
		const event = normalizeGeneric(row, {});
		expect(event.kind).toBe('page');
		expect(event.name).toBe(PAGE_VIEW_EVENT);
		expect(event.properties).toEqual({ url: 'https://app.example.com/pricing', name: 'Pricing' });
		expect(row.properties).toEqual({ url: 'https://app.example.com/pricing' });
	});

	it('prefers the explicit email and accountTraits fields', () => {
		const event = normalizeGeneric(
			{
				userId: 'u',
				event: 'e',
				timestamp: '2024-11-05T09:00:00Z',
				email: 'Boss@Corp.io',
				traits: { email: 'other@corp.io' },
				accountTraits: { plan: 'pro' },
			},
			{},
		);
		expect(event.email).toBe('boss@corp.io');
		expect(event.userTraits).toEqual({ email: 'other@corp.io' });
		expect(event.accountTraits).toEqual({ plan: 'pro' });
	});
});

describe('detectSource', () => {
	it.each([
		['posthog-webhook-body.json', 'posthog'],
		['posthog-pageview.json', 'posthog'],
		['posthog-groupidentify.json', 'posthog'],
		['segment-track.json', 'segment'],
		['segment-identify.json', 'segment'],
		['segment-group.json', 'segment'],
		['segment-page.json', 'segment'],
	])('detects %s as %s', (name, source) => {
		expect(detectSource(fixture(name))).toBe(source);
	});

	it('detects every message of the Segment batch and array', () => {
		const messages = [
			...expandPayload(fixture('segment-batch.json')),
			...expandPayload(fixture('segment-actions-array.json')),
		];
		expect(messages.map(detectSource)).toEqual(['segment', 'segment', 'segment', 'segment']);
	});

	it('detects Mixpanel export rows', () => {
		expect(jsonLines('mixpanel-export.jsonl').map(detectSource)).toEqual(['mixpanel', 'mixpanel', 'mixpanel']);
	});

	it('detects generic rows, also those with a Segment type but generic-only fields', () => {
		expect(fixture<Raw[]>('generic-rows.json').map(detectSource)).toEqual([
			'generic',
			'generic',
			'generic',
			'segment', // {type: 'group', groupId, traits, messageId} is a valid Segment group call too
			'generic',
		]);
		expect(detectSource({ type: 'track', userId: 'u', accountId: 'a', event: 'e' })).toBe('generic');
		expect(detectSource({ type: 'track', userId: 'u', groupId: 'a', event: 'e' })).toBe('generic');
		expect(detectSource({ userId: 'u', event: 'e', timestamp: 1, properties: { time: 5, distinct_id: 'x' } })).toBe(
			'generic',
		);
		expect(detectSource({ user_id: 'u', name: 'e', time: 1, properties: { time: 5, distinct_id: 'x' } })).toBe(
			'generic',
		);
	});

	it('detects nothing in values that are not events', () => {
		expect(detectSource(null)).toBeUndefined();
		expect(detectSource('event')).toBeUndefined();
		expect(detectSource([{ event: 'x' }])).toBeUndefined();
		expect(detectSource({ foo: 1 })).toBeUndefined();
	});

	it('normalizes each source through auto-detection', () => {
		const events = [
			normalizeEvent(fixture('posthog-webhook-body.json'), 'auto'),
			normalizeEvent(fixture('segment-track.json'), 'auto'),
			normalizeEvent(jsonLines('mixpanel-export.jsonl')[0], 'auto'),
			normalizeEvent(fixture<Raw[]>('generic-rows.json')[0], 'auto'),
		];
		expect(events.map((event) => [event.source, event.id])).toEqual([
			['posthog', '0192d6a5-3c1e-7f4b-9a61-2f0e6c1b8d42'],
			['segment', 'ajs-f8ca1e4de5024d9430b3928bd8ac6b96'],
			['mixpanel', 'hpuDqcvpltpCjBsebtxwadtEBDnFAdycabFb'],
			['generic', 'evt-1'],
		]);
	});
});

describe('expandPayload', () => {
	it('wraps a single event', () => {
		const track = fixture('segment-track.json');
		expect(expandPayload(track)).toEqual([track]);
		expect(expandPayload(track)[0]).toBe(track);
	});

	it('passes a JSON array through', () => {
		const array = fixture<Raw[]>('segment-actions-array.json');
		expect(expandPayload(array)).toBe(array);
	});

	it('unwraps {batch: [...]} as analytics-node sends it', () => {
		const body = fixture('segment-batch.json');
		const raws = expandPayload(body);
		expect(raws).toHaveLength(2);
		expect(raws).toBe(body.batch);
		expect(normalizeEvents(raws, 'segment', {}).events.map((event) => [event.kind, event.name, event.accountId])).toEqual([
			['identify', IDENTIFY_EVENT, undefined],
			['track', 'Plan Limit Reached', 'globex'],
		]);
	});

	it('gives nothing for an empty body', () => {
		expect(expandPayload(undefined)).toEqual([]);
		expect(expandPayload(null)).toEqual([]);
	});

	it('keeps an object whose batch is not a list as one event', () => {
		const body = { batch: 'nope' };
		expect(expandPayload(body)).toEqual([body]);
	});
});

describe('normalizeEvents', () => {
	it('carries the dedupe ids and sets origin to the index', () => {
		const raws = [
			fixture('posthog-pageview.json'),
			fixture('segment-page.json'),
			jsonLines('mixpanel-export.jsonl')[2],
		];
		const { events, rejected } = normalizeEvents(raws, 'auto', {});
		expect(rejected).toEqual([]);
		expect(events.map((event) => [event.origin, event.id, event.userId])).toEqual([
			[0, '0192d6b1-8e47-7a0c-b3f2-6d4e1a9c2f88', 'user_8842'],
			[1, '022bb90c-bbac-11e4-8dfc-aa07a5b093dc', '97980cfea0067'],
			[2, 'qzkbfmwplxvtrdsagcyuhjnoeiwqpzmxlkca', '$device:18f3c1a2b4d-0e5f'],
		]);
	});

	it('rejects each bad event with its index and a reason, without throwing', () => {
		const raws: unknown[] = [
			'not json',
			{ userId: 'u', event: 'e' },
			{ userId: 'u', event: 'e', timestamp: 'yesterday' },
			{ event: 'e', timestamp: '2024-01-01T00:00:00Z' },
			{ userId: 'u', timestamp: '2024-01-01T00:00:00Z' },
			{ foo: 'bar' },
			{ userId: 'u', event: 'e', timestamp: '2024-01-01T00:00:00Z' },
			{ type: 'alias', userId: 'b', previousId: 'a', messageId: 'm', timestamp: '2024-01-01T00:00:00Z' },
			{ userId: 'u', event: 'e', type: 'purchase', timestamp: '2024-01-01T00:00:00Z' },
			null,
			{ userId: 'u', event: 'e', time: { when: 'now' } },
		];
		const { events, rejected } = normalizeEvents(raws, 'auto', {});
		expect(events.map((event) => event.origin)).toEqual([6]);
		expect(rejected).toEqual([
			{ index: 0, reason: 'event 0: not an object' },
			{ index: 1, reason: 'event 1: missing timestamp' },
			{ index: 2, reason: 'event 2: "timestamp" is not a date: "yesterday"' },
			{ index: 3, reason: 'event 3: missing "userId" (or "accountId")' },
			{ index: 4, reason: 'event 4: missing event name ("event" or "name")' },
			{ index: 5, reason: `event 5: ${UNRECOGNISED_SHAPE}` },
			{
				index: 7,
				reason:
					'event 7: Segment alias calls are not supported: they only link two user ids (send identify calls instead)',
			},
			{ index: 8, reason: 'event 8: unknown "type": "purchase" (expected track, page, identify or group)' },
			{ index: 9, reason: 'event 9: not an object' },
			{ index: 10, reason: 'event 10: "time" is not a date: an object' },
		]);
		expect(UNRECOGNISED_SHAPE).toBe(
			'unrecognised event shape (expected PostHog, Segment, Mixpanel or {userId, event, timestamp})',
		);
	});

	it('names the missing field of each source', () => {
		const posthog = fixture('posthog-pageview.json');
		delete posthog.distinct_id;
		const posthogWithGroup = fixture('posthog-pageview.json');
		delete posthogWithGroup.distinct_id;
		delete (posthog.properties as Raw).$groups;
		const segment = fixture('segment-track.json');
		delete segment.userId;
		delete segment.anonymousId;
		delete (segment.context as Raw).groupId;
		const [mixpanel] = jsonLines('mixpanel-export.jsonl');
		delete (mixpanel.properties as Raw).distinct_id;

		expect(normalizeEvents([posthog], 'posthog').rejected).toEqual([{ index: 0, reason: 'event 0: missing "distinct_id"' }]);
		// An account alone is enough.
		expect(normalizeEvents([posthogWithGroup], 'posthog').events[0]).toMatchObject({ userId: undefined, accountId: 'acme-inc' });
		expect(normalizeEvents([segment], 'segment').rejected).toEqual([
			{ index: 0, reason: 'event 0: missing "userId" or "anonymousId"' },
		]);
		expect(normalizeEvents([mixpanel], 'mixpanel').rejected).toEqual([
			{ index: 0, reason: 'event 0: missing "properties.distinct_id"' },
		]);
	});

	it('names the bad timestamp field of each source', () => {
		const posthog = fixture('posthog-webhook-body.json');
		(posthog.event as Raw).timestamp = 'soon';
		const segment = fixture('segment-track.json');
		delete segment.timestamp;
		segment.sentAt = 'later';
		const mixpanel = { event: 'x', properties: { distinct_id: 'u', time: 'noon' } };
		const noTime = { event: 'x', properties: { distinct_id: 'u' } };

		expect(normalizeEvents([posthog, segment, mixpanel, noTime], 'auto').rejected.map((r) => r.reason)).toEqual([
			'event 0: "timestamp" is not a date: "soon"',
			'event 1: "sentAt" is not a date: "later"',
			'event 2: "properties.time" is not a date: "noon"',
			'event 3: missing timestamp',
		]);
	});

	it('rejects events without a name in every source', () => {
		const posthog = fixture('posthog-pageview.json');
		delete posthog.event;
		const segment = fixture('segment-track.json');
		segment.event = '';
		const [mixpanel] = jsonLines('mixpanel-export.jsonl');
		delete mixpanel.event;

		expect(normalizeEvents([posthog], 'posthog').rejected[0].reason).toBe('event 0: missing "event"');
		expect(normalizeEvents([segment], 'segment').rejected[0].reason).toBe('event 0: track call without "event"');
		expect(normalizeEvents([mixpanel], 'mixpanel').rejected[0].reason).toBe('event 0: missing "event"');
	});

	it('rejects a Segment message without a type when Segment is chosen explicitly', () => {
		const raw = fixture('segment-track.json');
		delete raw.type;
		expect(normalizeEvents([raw, { type: 'purchase', userId: 'u' }], 'segment').rejected).toEqual([
			{ index: 0, reason: 'event 0: missing "type"' },
			{
				index: 1,
				reason: 'event 1: unknown Segment "type": "purchase" (expected track, identify, group, page or screen)',
			},
		]);
	});
});

describe('normalizeEvent', () => {
	it('throws EventFormatError with the reason', () => {
		expect(() => normalizeEvent(42, 'auto')).toThrow(EventFormatError);
		expect(() => normalizeEvent(42, 'auto')).toThrow('not an object');
		expect(() => normalizeEvent({ foo: 1 }, 'auto')).toThrow(UNRECOGNISED_SHAPE);
		expect(() => normalizeGeneric('x' as unknown as Raw, {})).toThrow(new EventFormatError('not an object'));
	});

	it('uses the chosen source instead of detecting', () => {
		const generic = { userId: 'u', event: 'e', timestamp: '2024-01-01T00:00:00Z' };
		expect(() => normalizeEvent(generic, 'posthog')).toThrow('missing "distinct_id"');
		expect(normalizeEvent(generic, 'generic').source).toBe('generic');
	});
});

describe('inputs are never mutated', () => {
	const inputs = (): [string, unknown][] => [
		['posthog webhook', fixture('posthog-webhook-body.json')],
		['posthog pageview', fixture('posthog-pageview.json')],
		['posthog groupidentify', fixture('posthog-groupidentify.json')],
		['segment track', fixture('segment-track.json')],
		['segment identify', fixture('segment-identify.json')],
		['segment group', fixture('segment-group.json')],
		['segment page', fixture('segment-page.json')],
		['segment batch', fixture('segment-batch.json')],
		['segment array', fixture('segment-actions-array.json')],
		['mixpanel', jsonLines('mixpanel-export.jsonl')],
		['generic', fixture('generic-rows.json')],
	];

	it.each(inputs())('%s', (_label, body) => {
		const before = JSON.stringify(body);
		const frozen = deepFreeze(body);
		const { events, rejected } = normalizeEvents(expandPayload(frozen), 'auto', { accountGroupType: 'company' });
		expect(rejected).toEqual([]);
		expect(events.length).toBeGreaterThan(0);
		expect(JSON.stringify(body)).toBe(before);
	});
});
