import type { PqlEvent } from '../../nodes/engine/events/model';
import { compileModel } from '../../nodes/engine/rules/compile';
import { MemoryStateStore, readSnapshot } from '../../nodes/engine/state/memoryStore';
import type { TriggerRuntime } from '../../nodes/engine/state/triggerRuntime';
import { ingestEvents, type StreamSettings } from '../../nodes/engine/stream';
import { buildSnapshotInSteps, JOURNAL_KEY, saveJournal, saveSnapshot, STATE_KEY, type StoreContext } from '../../nodes/PqlThresholdTrigger/stores';

/**
 * The built-in store saves a full snapshot now and then and, in between (and for every crossing), a
 * journal of the documents changed since: static data always holds a snapshot and the journal that
 * goes with it, and restoring both gives the state as of the journal.
 */
describe('the built-in store between full snapshots: the journal', () => {
	const NOW = Date.parse('2026-06-01T00:00:00.000Z');
	const model = compileModel({ rules: [{ name: 'Logins', category: 'usage', type: 'eventCount', event: 'login', windowDays: 7, atLeast: 2, points: 80 }] });
	const settings: StreamSettings = { model, accountFrom: 'group', crossing: { fireOn: 'threshold', cooldownDays: 7, hysteresis: 10, tiers: model.tiers }, emit: 'crossing' };
	const login = (account: number, n = 0, user = account): PqlEvent => ({
		id: `e-${account}-${user}-${n}`,
		source: 'generic',
		kind: 'track',
		name: 'login',
		userId: `u-${user}`,
		accountId: `acct-${account}`,
		email: undefined,
		timestamp: NOW - 60_000 + n,
		properties: {},
		userTraits: undefined,
		accountTraits: undefined,
	});
	/** The stores' clock: event ids are remembered at it. */
	let clock = NOW;
	beforeEach(() => (clock = NOW));
	function runtimeOf(accounts: number): TriggerRuntime {
		const memory = new MemoryStateStore({ now: () => clock, maxAccounts: 100_000 });
		for (let account = 0; account < accounts; account++) memory.transactNow((tx) => ingestEvents(tx, settings, [login(account)], NOW));
		return { memory, store: memory, storeKey: 'builtIn', lastSavedAt: 0, saves: 0, savesWritten: 0, inFlight: new Set(), delivered: new Set() } as unknown as TriggerRuntime;
	}
	const contextOf = (staticData: Record<string, unknown>) => ({ getWorkflowStaticData: () => staticData }) as unknown as StoreContext;
	const ingest = (runtime: TriggerRuntime, events: PqlEvent[]) => runtime.memory!.transactNow((tx) => ingestEvents(tx, settings, events, NOW));

	/** What n8n would restore after a crash: the snapshot, then the journal over it. */
	function restored(staticData: Record<string, unknown>): MemoryStateStore {
		const store = new MemoryStateStore({ now: () => NOW, maxAccounts: 100_000 });
		expect(store.restore(staticData[STATE_KEY] as string)).toBe(true);
		expect(store.restoreJournal(staticData[JOURNAL_KEY] as string)).toBe(true);
		return store;
	}
	function expectSameState(actual: MemoryStateStore, expected: MemoryStateStore): void {
		expect(actual.accountIds().sort()).toEqual(expected.accountIds().sort());
		for (const id of expected.accountIds()) {
			expect(actual.peekAccount(id)).toEqual(expected.peekAccount(id));
			for (const [userId] of expected.peekAccount(id)!.members) expect(actual.peekUser(userId)).toEqual(expected.peekUser(userId));
		}
	}

	it('holds only the documents changed since the full snapshot, and restored over it gives the state now', async () => {
		const runtime = runtimeOf(300);
		const staticData: Record<string, unknown> = {};
		clock = NOW + 5000;
		saveSnapshot(contextOf(staticData), runtime, clock);
		const fullText = staticData[STATE_KEY];
		clock = NOW + 10_000;
		// Account 7 crosses (its second login), 300 and 301 are new.
		const { fired } = ingest(runtime, [login(7, 1), login(300), login(301)]);
		expect(fired.map((entry) => entry.accountId)).toEqual(['acct-7']);
		saveJournal(contextOf(staticData), runtime, clock);

		expect(staticData[STATE_KEY]).toBe(fullText);
		const journal = readSnapshot(staticData[JOURNAL_KEY] as string)!;
		expect(journal.accounts.map((doc) => doc.id).sort()).toEqual(['acct-300', 'acct-301', 'acct-7']);
		expect(journal.users.map((doc) => doc.id).sort()).toEqual(['u-300', 'u-301', 'u-7']);
		expect(journal.outbox.map((entry) => entry.accountId)).toEqual(['acct-7']);
		expect(journal.seen.map(([id]) => id).sort()).toEqual(['e-300-300-0', 'e-301-301-0', 'e-7-7-1']);
		expect((staticData[JOURNAL_KEY] as string).length).toBeLessThan((fullText as string).length / 2);

		const after = restored(staticData);
		expectSameState(after, runtime.memory!);
		expect((await after.pendingFires(10)).map((entry) => entry.fireId)).toEqual(fired.map((entry) => entry.fireId));
		// The events of the journal are known: a retry of them is a duplicate.
		expect(after.transactNow((tx) => tx.isNewEvent('e-7-7-1'))).toBe(false);
	});

	it('drops a crossing delivered since the full snapshot: the journal holds the whole outbox', async () => {
		const runtime = runtimeOf(10);
		const staticData: Record<string, unknown> = {};
		const { fired } = ingest(runtime, [login(3, 1)]);
		saveSnapshot(contextOf(staticData), runtime, NOW);
		expect(readSnapshot(staticData[STATE_KEY] as string)!.outbox).toHaveLength(1);
		await runtime.memory!.delivered(fired.map((entry) => entry.fireId));
		saveJournal(contextOf(staticData), runtime, NOW);
		expect(await restored(staticData).pendingFires(10)).toEqual([]);
	});

	it('after a restart, keeps the restored journal\'s documents in the next journals (the snapshot on disk still lacks them)', () => {
		const runtime = runtimeOf(50);
		const staticData: Record<string, unknown> = {};
		saveSnapshot(contextOf(staticData), runtime, NOW);
		ingest(runtime, [login(4, 1), login(5, 1)]);
		saveJournal(contextOf(staticData), runtime, NOW);

		const memory = restored(staticData);
		const again = { ...runtime, memory, store: memory, snapshotText: staticData[STATE_KEY] as string } as TriggerRuntime;
		ingest(again, [login(6, 1)]);
		saveJournal(contextOf(staticData), again, NOW);
		expect(readSnapshot(staticData[JOURNAL_KEY] as string)!.accounts.map((doc) => doc.id).sort()).toEqual(['acct-4', 'acct-5', 'acct-6']);
		expectSameState(restored(staticData), memory);
	});

	it('every write while a full snapshot is built in steps holds a snapshot and its journal: restored, the state of the last write', async () => {
		const runtime = runtimeOf(5000);
		const staticData: Record<string, unknown> = {};
		saveSnapshot(contextOf(staticData), runtime, NOW);
		ingest(runtime, [login(1, 1)]);
		const writes: Array<{ state: unknown; journal: unknown; accounts: number }> = [];
		const saving = buildSnapshotInSteps(runtime, NOW);
		for (let n = 0; n < 3; n++) {
			await new Promise((resolve) => setTimeout(resolve, 0));
			ingest(runtime, [login(5000 + n), login(2, 1 + n)]);
			// Each request writes its own copy of the static data; here they share one object.
			saveJournal(contextOf(staticData), runtime, NOW);
			writes.push({ state: staticData[STATE_KEY], journal: staticData[JOURNAL_KEY], accounts: runtime.memory!.accountCount });
		}
		await saving;
		ingest(runtime, [login(3, 1)]);
		saveJournal(contextOf(staticData), runtime, NOW);
		writes.push({ state: staticData[STATE_KEY], journal: staticData[JOURNAL_KEY], accounts: runtime.memory!.accountCount });
		expect(new Set(writes.map((write) => write.state)).size).toBe(2); // the old snapshot, then the new one
		for (const write of writes) {
			expect(restored({ [STATE_KEY]: write.state, [JOURNAL_KEY]: write.journal }).accountCount).toBe(write.accounts);
		}
		expectSameState(restored(staticData), runtime.memory!);
	});
});
