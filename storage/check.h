// Assertions for programmer errors. Debian 12's Abseil has no absl/log, so
// the project keeps its own: CHECK is always on, DCHECK only in debug builds.
// A failed assertion prints the condition and location and aborts; operating
// errors (bad input, I/O) are absl::Status, never an assertion.
#ifndef STAKELEDGER_STORAGE_CHECK_H_
#define STAKELEDGER_STORAGE_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define STAKELEDGER_CHECK_FAIL(cond_text) \
  (std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, cond_text), std::abort())

#define CHECK(cond) ((cond) ? (void)0 : STAKELEDGER_CHECK_FAIL(#cond))

#ifdef NDEBUG
#define DCHECK(cond) ((void)0)
#else
#define DCHECK(cond) CHECK(cond)
#endif

#endif  // STAKELEDGER_STORAGE_CHECK_H_
