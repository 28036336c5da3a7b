const { relative } = require("node:path");

/**
 * A jest reporter that prints, once the run is over, how many tests each chosen suite ran and
 * skipped: a suite that quietly ran nothing (a skip, a filter, a file that failed to load) shows
 * up as 0 instead of hiding in the totals. Options: `suites`, a pattern for the paths to list.
 */
class SuiteCountsReporter {
  constructor(globalConfig, options = {}) {
    this.rootDir = globalConfig.rootDir;
    this.pattern = new RegExp(options.suites ?? ".");
    this.rows = [];
  }

  onTestResult(_test, result) {
    const path = relative(this.rootDir, result.testFilePath);
    if (!this.pattern.test(path)) return;
    const ran = result.numPassingTests + result.numFailingTests;
    const skipped = result.numPendingTests + result.numTodoTests;
    const broken = result.testExecError ? ", failed to run" : "";
    this.rows.push(`  ${path}: ${ran} ran, ${skipped} skipped${broken}`);
  }

  onRunComplete() {
    if (this.rows.length === 0) return;
    process.stdout.write(`tests run per suite:\n${this.rows.sort().join("\n")}\n`);
  }
}

module.exports = SuiteCountsReporter;
