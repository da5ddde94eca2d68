/**
 * `npm test`: every test. Test files say what they need by their name:
 *   *.test.ts         unit: engine and in-process n8n (WorkflowExecute), no services, no build
 *   *.redis.test.ts   a real Redis (globalSetup finds or starts one; test/helpers/testRedis.ts)
 *   *.pack.test.ts    builds and packs the package (npm run build / npm pack)
 *   *.e2e.test.ts     a real n8n 2.40 (tools/n8n/install.sh), and whatever services it uses
 * `npm run test:unit` (jest.unit.config.js) runs the first kind only.
 */
const NOT_UNIT = ['\\.redis\\.test\\.ts$', '\\.pack\\.test\\.ts$', '\\.e2e\\.test\\.ts$'];

/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
	},
	testTimeout: 60000,
	globalSetup: '<rootDir>/test/services/globalSetup.ts',
	globalTeardown: '<rootDir>/test/services/globalTeardown.ts',
};

// Not enumerable: jest would warn about an unknown option; jest.unit.config.js reads it.
Object.defineProperty(module.exports, 'NOT_UNIT_TESTS', { value: NOT_UNIT });
