import type { IDataObject } from 'n8n-workflow';
import type { PqlEvent } from '../../nodes/engine/events/model';
import { compileModel } from '../../nodes/engine/rules/compile';
import { JOURNAL_SEPARATOR, MemoryStateStore, readSavedState, readSnapshot } from '../../nodes/engine/state/memoryStore';
import { emptyRuntime, type TriggerRuntime } from '../../nodes/engine/state/triggerRuntime';
import { ingestEvents, type StreamSettings } from '../../nodes/engine/stream';
import { seededRandom } from '../helpers/postHogLoad';
import { buildSnapshotInSteps, JOURNAL_KEY, MAX_JOURNAL_SEGMENTS, restoreSaved, saveJournal, saveSnapshot, STATE_KEY, type StoreContext } from '../../nodes/PqlThresholdTrigger/stores';

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
		return { ...emptyRuntime('builtIn'), memory, store: memory };
	}
	const contextOf = (staticData: Record<string, unknown>) => ({ getWorkflowStaticData: () => staticData }) as unknown as StoreContext;
	const ingest = (runtime: TriggerRuntime, events: PqlEvent[]) => runtime.memory!.transactNow((tx) => ingestEvents(tx, settings, events, NOW));

	/** What n8n would restore after a crash: the snapshot, then the journal over it. */
	function restored(staticData: Record<string, unknown>): MemoryStateStore {
		const store = new MemoryStateStore({ now: () => NOW, maxAccounts: 100_000 });
		expect(store.restore(staticData[STATE_KEY] as string)).toBe(true);
		expect(store.restoreJournal(staticData[JOURNAL_KEY] as string)).toBeDefined();
		return store;
	}
	/** n8n started again on this static data: a new runtime, restored as openRuntime restores it. */
	function restartedFrom(staticData: Record<string, unknown>): TriggerRuntime {
		const memory = new MemoryStateStore({ now: () => clock, maxAccounts: 100_000 });
		const runtime = { ...emptyRuntime('builtIn'), memory, store: memory };
		restoreSaved(runtime, memory, staticData as IDataObject, clock);
		return runtime;
	}
	/** Every account with its members' documents, as one line each (compared as text: deep equality of hundreds is slow). */
	const documents = (store: MemoryStateStore) =>
		store
			.accountIds()
			.sort()
			.map((id) => JSON.stringify([store.peekAccount(id), ...store.peekAccount(id)!.members.map(([userId]) => store.peekUser(userId))]));
	function expectSameState(actual: MemoryStateStore, expected: MemoryStateStore): void {
		expect(documents(actual)).toEqual(documents(expected));
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

		const again = restartedFrom(staticData);
		ingest(again, [login(6, 1)]);
		saveJournal(contextOf(staticData), again, NOW);
		expect(readSavedState(undefined, staticData[JOURNAL_KEY] as string)!.accounts.map((doc) => doc.id).sort()).toEqual(['acct-4', 'acct-5', 'acct-6']);
		expectSameState(restored(staticData), again.memory!);
	});

	it('grows by segments, each holding what changed since the one before; at MAX_JOURNAL_SEGMENTS the newer half becomes one', () => {
		const runtime = runtimeOf(40);
		const staticData: Record<string, unknown> = {};
		clock = NOW + 5000;
		saveSnapshot(contextOf(staticData), runtime, clock);
		const segments = () => (staticData[JOURNAL_KEY] as string).split(JOURNAL_SEPARATOR).map((text) => readSnapshot(text)!);
		for (let n = 0; n < MAX_JOURNAL_SEGMENTS; n++) {
			clock = NOW + 5000 + 2000 * (n + 1);
			// Account n logs in again, and account 0 every time: the latest segment holds the latest of it.
			ingest(runtime, [login(n + 1, 1 + n), login(0, 1 + n)]);
			// Saved a while later: a segment's event ids overlap the previous one's by a second of margin.
			saveJournal(contextOf(staticData), runtime, clock + 1500);
			expect(segments()).toHaveLength(n + 1);
			expect(segments()[n].accounts.map((doc) => doc.id).sort()).toEqual(n === 0 ? ['acct-0', 'acct-1'] : ['acct-0', `acct-${n + 1}`].sort());
			expect(segments()[n].seen.map(([id]) => id).sort()).toEqual([`e-0-0-${1 + n}`, `e-${n + 1}-${n + 1}-${1 + n}`]);
			expectSameState(restored(staticData), runtime.memory!);
		}
		const half = MAX_JOURNAL_SEGMENTS / 2;
		const older = (staticData[JOURNAL_KEY] as string).split(JOURNAL_SEPARATOR).slice(0, half);
		clock += 2000;
		ingest(runtime, [login(30, 1)]);
		saveJournal(contextOf(staticData), runtime, clock);
		expect((staticData[JOURNAL_KEY] as string).split(JOURNAL_SEPARATOR).slice(0, half)).toEqual(older);
		expect(segments()).toHaveLength(half + 1);
		// Accounts half+1 to MAX logged in after segment `half`, account 0 every time, and 30 now.
		const merged = Array.from({ length: MAX_JOURNAL_SEGMENTS - half }, (_, n) => `acct-${half + 1 + n}`);
		expect(segments()[half].accounts.map((doc) => doc.id).sort()).toEqual(['acct-0', 'acct-30', ...merged].sort());
		expectSameState(restored(staticData), runtime.memory!);
	});

	it('restored in segments after a restart, then more segments: the state of the last write, every retry a duplicate', () => {
		const runtime = runtimeOf(20);
		const staticData: Record<string, unknown> = {};
		saveSnapshot(contextOf(staticData), runtime, NOW);
		for (let n = 1; n <= 3; n++) {
			ingest(runtime, [login(n, 1), login(10 + n)]);
			saveJournal(contextOf(staticData), runtime, NOW + n);
		}
		const again = restartedFrom(staticData);
		expectSameState(again.memory!, runtime.memory!);
		ingest(again, [login(7, 1)]);
		saveJournal(contextOf(staticData), again, NOW + 10);
		expect((staticData[JOURNAL_KEY] as string).split(JOURNAL_SEPARATOR)).toHaveLength(4);
		const after = restored(staticData);
		expectSameState(after, again.memory!);
		for (const id of ['e-1-1-1', 'e-13-13-0', 'e-7-7-1']) expect(after.transactNow((tx) => tx.isNewEvent(id))).toBe(false);
	});

	it('random interleavings of requests, saves, full snapshots built in steps and kill -9 restarts: every write restores to the state it was written with', async () => {
		const seen = { merges: 0, restarts: 0, fullSnapshots: 0 };
		const stale: Array<Promise<void>> = [];
		for (const seed of [1, 2, 3, 4]) {
			const random = seededRandom(seed);
			// A full snapshot takes several steps (parse, pack, columns, compress): requests and saves run between them.
			let runtime = runtimeOf(300);
			const staticData: Record<string, unknown> = {};
			let building: Promise<void> | undefined;
			let n = 0;
			for (let op = 0; op < 150; op++) {
				clock += 700;
				const r = random();
				if (r < 0.5) {
					// Known and new accounts; a known account's second login crosses.
					ingest(runtime, [login(Math.floor(random() * 330), ++n)]);
				} else if (r < 0.85) {
					const before = runtime.journal?.length ?? 0;
					const snapshotBefore = staticData[STATE_KEY];
					saveJournal(contextOf(staticData), runtime, clock);
					const segments = (staticData[JOURNAL_KEY] as string).split(JOURNAL_SEPARATOR).length;
					expect(segments).toBeLessThanOrEqual(MAX_JOURNAL_SEGMENTS);
					if (before === MAX_JOURNAL_SEGMENTS) seen.merges++;
					if (snapshotBefore !== undefined && staticData[STATE_KEY] !== snapshotBefore) seen.fullSnapshots++;
					expectSameState(restored(staticData), runtime.memory!);
				} else if (r < 0.93) {
					// Time for a few steps of the snapshot being built (each is followed by a pause 3× as long).
					await new Promise((resolve) => setTimeout(resolve, 25));
				} else if (r < 0.97) {
					if (!runtime.snapshotting) building = buildSnapshotInSteps(runtime, clock);
				} else if (staticData[STATE_KEY] !== undefined) {
					// Killed: what was not saved is gone, a snapshot being built with it.
					if (building !== undefined) stale.push(building);
					building = undefined;
					runtime = restartedFrom(staticData);
					seen.restarts++;
				}
			}
			await building;
		}
		await Promise.all(stale);
		expect(seen.merges).toBeGreaterThan(0);
		expect(seen.restarts).toBeGreaterThan(0);
		expect(seen.fullSnapshots).toBeGreaterThan(0);
	}, 60_000);

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
