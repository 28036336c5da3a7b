// Resilience tests: real server processes killed, restarted and flooded. Slower than `npm test`.
const base = require("./jest.config.js");
/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ["**/test/faults/**/*.test.ts"],
  testPathIgnorePatterns: [],
  testTimeout: 180000,
  maxWorkers: 1,
  reporters: ["default", ["<rootDir>/test/support/suite-counts-reporter.js", { suites: "faults" }]],
};
