// Unit, behaviour and protocol tests. One database server is resolved once for the whole run
// (test/support/global-setup.ts) and each test file works in a database of its own.
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
