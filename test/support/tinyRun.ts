/**
 * The sweep tests' unit of work: a ring-2d run of 20 iterations with tiny nets, checkpointed at 10 and 20, that
 * trains in about a second on the cpu backend. Tests spread their own keys over it.
 */
export const TINY_RING_RUN = {
  dataset: "ring-2d",
  arch: "mlp",
  steps: 20,
  batchSize: 16,
  sampleEvery: 0,
  checkpointEvery: 10,
  backend: "cpu",
  mlp: { generatorHidden: [8], discriminatorHidden: [8], maxoutPieces: 2 },
};
