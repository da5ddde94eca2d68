/** `npm run test:unit`: the fast tests (see jest.config.js): no real n8n, no services, no build. */
const all = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
	...all,
	globalSetup: undefined,
	globalTeardown: undefined,
	testPathIgnorePatterns: ['/node_modules/', ...all.NOT_UNIT_TESTS],
};
