/**
 * L2-regularised logistic regression by Newton's method (iteratively reweighted least squares).
 * Models here have tens of rules and up to ~100k accounts: each step is one pass over the rows
 * (n·d²) plus a d×d solve, and it converges in a few steps.
 */
export interface LogisticFit {
	intercept: number;
	/** One weight per feature column, in log-odds per unit. */
	weights: number[];
	iterations: number;
	converged: boolean;
}

export interface LogisticOptions {
	/** Strength of the L2 penalty λ on the weights (not the intercept): minimises −log L + λ/2·‖w‖². */
	l2: number;
	maxIterations?: number;
	tolerance?: number;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Solves A·x = b for a symmetric positive-definite A (Cholesky); A is d×d row-major. */
function solve(a: number[][], b: number[]): number[] {
	const d = b.length;
	const l = a.map(() => new Array<number>(d).fill(0));
	for (let i = 0; i < d; i++) {
		for (let j = 0; j <= i; j++) {
			let sum = a[i][j];
			for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
			l[i][j] = i === j ? Math.sqrt(Math.max(sum, 1e-12)) : sum / l[j][j];
		}
	}
	const y = new Array<number>(d).fill(0);
	for (let i = 0; i < d; i++) {
		let sum = b[i];
		for (let k = 0; k < i; k++) sum -= l[i][k] * y[k];
		y[i] = sum / l[i][i];
	}
	const x = new Array<number>(d).fill(0);
	for (let i = d - 1; i >= 0; i--) {
		let sum = y[i];
		for (let k = i + 1; k < d; k++) sum -= l[k][i] * x[k];
		x[i] = sum / l[i][i];
	}
	return x;
}

/** Fits P(y=1 | x) = σ(b + w·x). `rows[i]` are the features of example i, `labels[i]` is 0 or 1. */
export function fitLogistic(rows: ArrayLike<number>[], labels: ArrayLike<number>, options: LogisticOptions): LogisticFit {
	const n = rows.length;
	const d = n > 0 ? rows[0].length : 0;
	const size = d + 1; // slot 0 = intercept
	const beta = new Array<number>(size).fill(0);
	const positives = Array.from(labels).reduce((sum, label) => sum + label, 0);
	const base = Math.min(Math.max(positives / Math.max(n, 1), 1e-6), 1 - 1e-6);
	beta[0] = Math.log(base / (1 - base));
	const maxIterations = options.maxIterations ?? 50;
	const tolerance = options.tolerance ?? 1e-8;
	let iterations = 0;
	let converged = false;
	const x = new Array<number>(size);
	while (iterations < maxIterations) {
		iterations++;
		const gradient = new Array<number>(size).fill(0);
		const hessian = Array.from({ length: size }, () => new Array<number>(size).fill(0));
		for (let i = 0; i < n; i++) {
			const row = rows[i];
			x[0] = 1;
			let z = beta[0];
			for (let j = 0; j < d; j++) {
				x[j + 1] = row[j];
				z += beta[j + 1] * row[j];
			}
			const p = sigmoid(z);
			const residual = labels[i] - p;
			const weight = p * (1 - p);
			for (let j = 0; j < size; j++) {
				const xj = x[j];
				if (xj === 0) continue;
				gradient[j] += residual * xj;
				const wxj = weight * xj;
				const hj = hessian[j];
				for (let k = 0; k <= j; k++) hj[k] += wxj * x[k];
			}
		}
		for (let j = 0; j < size; j++) for (let k = 0; k < j; k++) hessian[k][j] = hessian[j][k];
		for (let j = 1; j < size; j++) {
			gradient[j] -= options.l2 * beta[j];
			hessian[j][j] += options.l2;
		}
		hessian[0][0] += 1e-9;
		const step = solve(hessian, gradient);
		let largest = 0;
		for (let j = 0; j < size; j++) {
			beta[j] += step[j];
			largest = Math.max(largest, Math.abs(step[j]));
		}
		if (largest < tolerance) {
			converged = true;
			break;
		}
	}
	return { intercept: beta[0], weights: beta.slice(1), iterations, converged };
}
