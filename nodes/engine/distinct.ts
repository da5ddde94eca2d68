/**
 * Distinct values of one account, kept in small flat arrays while there are few of them (most
 * accounts have a handful of users, active days and event ids) and reused from one account to the
 * next: a Set per account and kind costs several times more memory and time.
 */
const SMALL_LIMIT = 32;

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

	/** Empties the set for reuse, keeping its array. */
	reset(): void {
		if (this.small !== undefined) this.small.length = 0;
		else this.small = [];
		this.large = undefined;
	}
}

/** Distinct texts with, for each, the latest time it was seen (users and their last activity; event ids). */
export class DistinctTexts {
	private texts: string[] | undefined = [];
	private times: number[] = [];
	private large: Map<string, number> | undefined;

	/** Records the text at a time; false when it was there already. */
	add(text: string, time = 0): boolean {
		const texts = this.texts;
		if (texts !== undefined) {
			const index = texts.indexOf(text);
			if (index >= 0) {
				if (time > this.times[index]) this.times[index] = time;
				return false;
			}
			if (texts.length < SMALL_LIMIT) {
				texts.push(text);
				this.times.push(time);
				return true;
			}
			this.large = new Map(texts.map((known, i) => [known, this.times[i]]));
			this.texts = undefined;
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
		return this.texts !== undefined ? this.texts.length : this.large!.size;
	}

	/** Empties the set for reuse, keeping its arrays. */
	reset(): void {
		if (this.texts !== undefined) this.texts.length = 0;
		else this.texts = [];
		this.times.length = 0;
		this.large = undefined;
	}

	/** [text, latest time] pairs in first-seen order. */
	entries(): Array<[string, number]> {
		if (this.texts !== undefined) return this.texts.map((text, i) => [text, this.times[i]]);
		return [...this.large!];
	}
}
