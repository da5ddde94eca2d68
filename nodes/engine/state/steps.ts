/**
 * Long work written as steps: a generator that yields where it may pause. A snapshot of a large
 * state takes about a second; run in steps, other webhook requests are answered in between.
 */
export type Steps<T> = Generator<void, T>;

/** Runs the steps to their end without pausing. */
export function runSteps<T>(steps: Steps<T>): T {
	for (;;) {
		const step = steps.next();
		if (step.done === true) return step.value;
	}
}

/** Runs the steps with `pause(ms the step took)` awaited between them; `busyMs` is the time spent in the steps themselves. */
export async function runStepsPausing<T>(steps: Steps<T>, pause: (stepMs: number) => Promise<void>, clock: () => number = Date.now): Promise<{ value: T; busyMs: number }> {
	let busyMs = 0;
	for (;;) {
		const started = clock();
		const step = steps.next();
		const stepMs = clock() - started;
		busyMs += stepMs;
		if (step.done === true) return { value: step.value, busyMs };
		await pause(stepMs);
	}
}
