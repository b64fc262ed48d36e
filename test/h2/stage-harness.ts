/** Moved to the package's test kit (`stagegraph/testing`); re-exported for the suite's imports. */
export * from '../../testing/harness.ts';
