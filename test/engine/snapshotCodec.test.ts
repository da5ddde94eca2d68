import type { AccountDoc, UserDoc } from '../../nodes/engine/state/docs';
import { MemoryStateStore, readSnapshot } from '../../nodes/engine/state/memoryStore';
import { DocIds, newChain, packAccount, packUser, StringTable, unpackAccount, unpackUser, usersInChainOrder, type PackContext } from '../../nodes/engine/state/snapshotCodec';

const T = Date.parse('2026-11-20T12:00:00.000Z');

/** An account with every optional field set, and values the packing must not confuse (nulls, false, zero, far times). */
const ACCOUNT: AccountDoc = {
	id: 'acme',
	modelVersion: 'model-b',
	named: {
		eventCounts: { login: 3, '42': 1, ['__proto__']: 2 } as Record<string, number>,
		measures: {
			'count:7d:a': { kind: 'recentMatches', times: [T - 5000, T - 10] },
			'count:all:b': { kind: 'matchTotal', count: 4, last: T - 99 },
			'days:14d:c': { kind: 'recentDays', latest: [T - 3 * 86_400_000, T] },
			'days:all:d': { kind: 'dayTally', count: 9, first: 20_000, last: T, days: [20_400, 20_412] },
			'users:7d:e': { kind: 'recentUsers', users: [['ada', T - 7], ['gone', T - 1]] },
			'users:all:f': { kind: 'userTally', users: [['ada', T - 70]] },
		},
		firstSeen: T - 40 * 86_400_000,
		lastSeen: T,
		days: { kind: 'dayTally', count: 2, first: 20_400, last: T, days: [20_400, 20_412] },
	},
	members: [['ada', T - 9000, T - 1], ['gone', T - 5, T - 5]],
	floatingUsers: ['cy'],
	traits: { name: ['Acme', T - 1], seats: [0, T + 10], tags: [['a', null], T - 3], empty: [null, T - 4] },
	touchedAt: T,
	crossing: { armed: false, lastScore: null, lastTier: null, lastFiredAt: T - 86_400_000, firedCount: 2, wasPql: false, quietFor: T - 2 },
	dueAt: T + 3600_000,
};

const USERS: UserDoc[] = [
	{ id: 'ada', touchedAt: T - 1, email: ['ada@acme.io', T - 50], link: ['acme', T - 1], accounts: ['acme'], traits: { role: ['CTO', T - 50] } },
	{ id: 'cy', touchedAt: T - 2, modelVersion: 'model-a', floating: { eventCounts: { login: 1 }, measures: {}, firstSeen: T - 2, lastSeen: T - 2 }, floatingAccount: 'acme' },
	{ id: 'dee', touchedAt: T - 3, link: ['elsewhere', T - 3], accounts: ['acme', 'elsewhere'] },
];

function context(accounts: string[], users: string[], strings?: string[]): PackContext {
	return { table: new StringTable(strings), modelVersion: 'model-a', savedAt: T + 10, accountIds: new DocIds(accounts), userIds: new DocIds(users) };
}

describe('the packed snapshot', () => {
	test('every field of accounts and users round-trips: absent stays absent, null stays null, false stays false', () => {
		const ids = USERS.map((user) => user.id);
		const packing = context(['acme'], ids);
		const packedAccount = packAccount(ACCOUNT, packing);
		const packedUsers = USERS.map((user) => packUser(user, packing));
		const reading = context(['acme'], ids, JSON.parse(JSON.stringify(packing.table.strings)));
		const account = unpackAccount(JSON.parse(JSON.stringify(packedAccount)), reading);
		expect(account).toEqual(ACCOUNT);
		expect(Object.keys(account.named.eventCounts).sort()).toEqual(['42', '__proto__', 'login']);
		expect(account.crossing).toStrictEqual(ACCOUNT.crossing);
		expect(USERS.map((_, i) => unpackUser(JSON.parse(JSON.stringify(packedUsers[i])), reading))).toEqual(USERS);
		// A member without a document of its own ("gone") keeps its id; one with a document is referred to by position.
		expect(packedAccount[4]).toEqual([0, 9000, 1, 'gone', 5, 5]);
	});

	test('chained (format 5): positions and user times written as small differences, users grouped by account, read back exactly', () => {
		const second: AccountDoc = { ...ACCOUNT, id: 'globex', touchedAt: T - 100, members: [['bea', T - 200, T - 100], ['ada', T - 300, T - 300]], floatingUsers: [] };
		const bea: UserDoc = { id: 'bea', touchedAt: T + 50, link: ['globex', T - 100], accounts: ['globex'] };
		const accounts = [ACCOUNT, second];
		const accountIds = new DocIds(accounts.map((doc) => doc.id));
		// bea is linked to the second account, dee to one not in the snapshot, cy to none: bea moves before them.
		const users = usersInChainOrder([...USERS, bea], accountIds);
		expect(users.map((user) => user.id)).toEqual(['ada', 'bea', 'cy', 'dee']);
		const chainedContext = (strings?: string[]): PackContext => ({ ...context(['acme', 'globex'], users.map((user) => user.id), strings), chain: newChain(accounts) });
		const packing = chainedContext();
		const packedAccounts = accounts.map((doc) => packAccount(doc, packing));
		const packedUsers = users.map((doc) => packUser(doc, packing));
		// Members: ada (position 0) then "gone"; bea (1) right after ada, then ada again (0 = 2 − 2).
		expect(packedAccounts.map((packed) => packed[4])).toEqual([[0, 9000, 1, 'gone', 5, 5], [0, 100, 0, -2, 200, 200]]);
		// ada's touchedAt is its latest event as a member of acme, bea's 150 ms after its own (a later identify); link positions 0 then +1; cy and dee relative to the save.
		expect(packedUsers.map((packed) => [packed[1], packed[3]])).toEqual([[0, [0, 0]], [-150, [1, 150]], [T + 10 - (T - 2), null], [T + 10 - (T - 3), ['elsewhere', 0]]]);
		const reading: PackContext = { ...chainedContext(JSON.parse(JSON.stringify(packing.table.strings))), chain: newChain() };
		expect(packedAccounts.map((packed) => unpackAccount(JSON.parse(JSON.stringify(packed)), reading))).toEqual(accounts);
		expect(packedUsers.map((packed) => unpackUser(JSON.parse(JSON.stringify(packed)), reading))).toEqual(users);
	});

	test('a snapshot of format 2 (plain documents, saved by earlier versions) is still read: an upgrade keeps the state', () => {
		const legacy = JSON.stringify({ format: 2, savedAt: T, accounts: [ACCOUNT], users: USERS, seen: [['evt-1', T + 1000]], outbox: [] });
		const store = new MemoryStateStore({ now: () => T });
		expect(store.restore(legacy)).toBe(true);
		expect(store.peekAccount('acme')).toEqual(ACCOUNT);
		expect(store.peekUser('cy')).toEqual(USERS[1]);
		expect(store.transactNow((tx) => tx.isNewEvent('evt-1'))).toBe(false);
		expect(readSnapshot(store.snapshot())!.accounts).toEqual([ACCOUNT]);
	});

	test('an account of another model version keeps it; the snapshot names the common one once', () => {
		const store = new MemoryStateStore({ now: () => T });
		const json = (store as unknown as { accounts: Map<string, string> }).accounts.set('acme', JSON.stringify(ACCOUNT)) && store.snapshot();
		expect(readSnapshot(json)!.accounts).toEqual([ACCOUNT]);
		expect(readSnapshot('{"format":1,"accounts":[]}')).toBeUndefined();
	});
});
