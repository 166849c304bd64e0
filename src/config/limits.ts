// User-settable limits, mirroring native/limits.h (which re-checks them). Unit and reason of each
// default live there; the ranges here are what the CLI accepts.

export const LIMITS = {
  snaplen: { default: 65535, min: 96, max: 262144, unit: 'bytes' },
  bufferKiB: { default: 64 * 1024, min: 1, max: 4 * 1024 * 1024, unit: 'KiB' },
  maxFlows: { default: 1 << 20, min: 16, max: 1 << 26, unit: 'flows' },
  idleTimeout: { default: 60, min: 1, max: 86400, unit: 's' },
  streamBytes: { default: 16 * 1024, min: 0, max: 1024 * 1024, unit: 'bytes' },
  reassemblyBudgetMiB: { default: 128, min: 1, max: 1 << 20, unit: 'MiB' },
  synDedup: { default: 300, min: 0, max: 86400, unit: 's' },
  maxScanSources: { default: 1 << 17, min: 16, max: 1 << 26, unit: 'sources' },
  batchKiB: { default: 256, min: 16, max: 16 * 1024, unit: 'KiB' },
  maxInflight: { default: 16, min: 1, max: 1024, unit: 'batches' },
  workers: { default: 0, min: 1, max: 64, unit: 'threads' },
  count: { default: 0, min: 1, max: Number.MAX_SAFE_INTEGER, unit: 'packets' },
} as const;

export type LimitName = keyof typeof LIMITS;
