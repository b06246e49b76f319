// The line the benchmark's in-host module prints and bench/hostActivation.ts reads.
export const RESULT_PREFIX = 'FC_BENCH_ACTIVATION ';
