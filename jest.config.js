// Unit, behaviour and protocol tests. One database server is resolved once for the whole run
// (test/support/global-setup.ts) and each test file works in a database of its own.
// Tests keep nothing on disk: the embedded store runs in memory unless a test gives it a directory
// (set here, before the global setup and every worker, so a developer's .env never points tests at ./data).
process.env.DATA_DIR = ":memory:";
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test", "<rootDir>/embedded-mongo"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/test/faults/"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2023" } }] },
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  globalTeardown: "<rootDir>/test/support/global-teardown.ts",
  testTimeout: 30000,
  maxWorkers: 2,
  // The browser suites can skip (no Chromium outside CI): their counts are printed at the end.
  reporters: ["default", ["<rootDir>/test/support/suite-counts-reporter.js", { suites: "browser" }]],
};
