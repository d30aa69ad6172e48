// A static-partition parallel loop on the OpenMP pool that oneDNN also uses.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

#include "common.h"

namespace tsgan {

/**
 * Calls body(begin, end) on disjoint, contiguous slices of [0, total) — one slice per thread when the work
 * is at least `threshold` elements, otherwise once on the calling thread.
 */
template <typename Body>
inline void parallelFor(int64_t total, Body body, int64_t threshold = kParallelThreshold) {
  int threads = numThreads();
  if (total < threshold || threads <= 1) {
    if (total > 0) body(int64_t{0}, total);
    return;
  }
  // At least a quarter of the threshold per thread, so small loops use fewer threads.
  const int64_t minimumPart = std::max<int64_t>(1, threshold / 4);
  int64_t parts = std::min<int64_t>(threads, (total + minimumPart - 1) / minimumPart);
#pragma omp parallel num_threads(static_cast<int>(parts))
  {
    int64_t part = omp_get_thread_num();
    int64_t count = omp_get_num_threads();
    int64_t begin = total * part / count;
    int64_t end = total * (part + 1) / count;
    if (begin < end) body(begin, end);
  }
}

}  // namespace tsgan
