/**
 * Distinct values per account, kept small and flat while there are few of them: most accounts
 * have a handful of users, active days and event ids. Texts are compared by a numeric hash first,
 * because comparing against stored strings means a memory fetch per stored string, and that
 * dominated the per-event cost on a million events.
 */
const SMALL_LIMIT = 32;

export function hashText(text: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
	return hash | 0;
}

export class DistinctNumbers {
	private small: number[] | undefined = [];
	private large: Set<number> | undefined;

	/** Adds the value; false when it was there already. */
	add(value: number): boolean {
		const small = this.small;
		if (small !== undefined) {
			if (small.indexOf(value) >= 0) return false;
			if (small.length < SMALL_LIMIT) {
				small.push(value);
				return true;
			}
			this.large = new Set(small);
			this.small = undefined;
		}
		const large = this.large!;
		const before = large.size;
		return large.add(value).size !== before;
	}

	get size(): number {
		return this.small !== undefined ? this.small.length : this.large!.size;
	}
}

/** Distinct texts with, for each, the latest time it was seen (users and their last activity; event ids). */
export class DistinctTexts {
	private hashes: number[] | undefined = [];
	private texts: string[] = [];
	private times: number[] = [];
	private large: Map<string, number> | undefined;

	/** Records the text at a time; false when it was there already. */
	add(text: string, time = 0): boolean {
		const hashes = this.hashes;
		if (hashes !== undefined) {
			const hash = hashText(text);
			for (let i = hashes.indexOf(hash); i >= 0; i = hashes.indexOf(hash, i + 1)) {
				if (this.texts[i] === text) {
					if (time > this.times[i]) this.times[i] = time;
					return false;
				}
			}
			if (hashes.length < SMALL_LIMIT) {
				hashes.push(hash);
				this.texts.push(text);
				this.times.push(time);
				return true;
			}
			this.large = new Map(this.texts.map((known, i) => [known, this.times[i]]));
			this.hashes = undefined;
			this.texts = [];
			this.times = [];
		}
		const large = this.large!;
		const known = large.get(text);
		if (known === undefined) {
			large.set(text, time);
			return true;
		}
		if (time > known) large.set(text, time);
		return false;
	}

	get size(): number {
		return this.hashes !== undefined ? this.hashes.length : this.large!.size;
	}

	/** [text, latest time] pairs in first-seen order. */
	entries(): Array<[string, number]> {
		if (this.hashes !== undefined) return this.texts.map((text, i) => [text, this.times[i]]);
		return [...this.large!];
	}
}
