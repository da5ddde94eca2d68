import { DistinctIds, textHash } from '../../nodes/engine/distinct';

describe('DistinctIds (event ids of one account, compared by hash first)', () => {
	it.each([5, 32, 33, 200])('finds every copy among %i ids, before and past the small-list limit', (count) => {
		const ids = new DistinctIds();
		const texts = Array.from({ length: count }, (_, i) => `evt-${i}`);
		for (const text of texts) expect(ids.add(text, textHash(text))).toBe(true);
		for (const text of [...texts].reverse()) expect(ids.add(text, textHash(text))).toBe(false);
	});

	it('keeps two different ids that share a hash', () => {
		for (const count of [1, 40]) {
			const ids = new DistinctIds();
			for (let i = 0; i < count; i++) ids.add(`other-${i}`, textHash(`other-${i}`));
			expect(ids.add('a', 7)).toBe(true);
			expect(ids.add('b', 7)).toBe(true);
			expect(ids.add('a', 7)).toBe(false);
			expect(ids.add('b', 7)).toBe(false);
		}
	});

	it('starts empty again after reset', () => {
		const ids = new DistinctIds();
		for (let i = 0; i < 40; i++) ids.add(`evt-${i}`, textHash(`evt-${i}`));
		ids.reset();
		expect(ids.add('evt-1', textHash('evt-1'))).toBe(true);
	});

	it('hashes to a small non-negative integer that depends on every character', () => {
		const hashes = new Set(['abc', 'abd', 'bbc', 'abcd', ''].map(textHash));
		expect(hashes.size).toBe(5);
		for (const hash of hashes) expect(hash >= 0 && hash < 2 ** 30 && Number.isInteger(hash)).toBe(true);
	});
});
