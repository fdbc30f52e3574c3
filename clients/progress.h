// Progress of a long-running import. On a terminal one line is redrawn in
// place (carriage return): a bar, the count, the rate and the time left.
// Elsewhere (a pipe, a log file) plain lines are printed now and then, so
// the output stays readable.
#ifndef STAKELEDGER_CLIENTS_PROGRESS_H_
#define STAKELEDGER_CLIENTS_PROGRESS_H_

#include <cstddef>
#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace stakeledger::clients {

// Characters of the bar between the brackets.
inline constexpr size_t kProgressBarWidth = 30;

// "[#########---------------------]  120/530 announcements  85.3/s  ETA 5s".
// The rate and ETA are "-" until some time has passed and something is done.
// REQUIRES: done <= total.
std::string FormatProgressLine(size_t done, size_t total, absl::string_view what,
                               absl::Duration elapsed);

// Thread safety: none.
class ProgressReporter {
 public:
  // Plain mode prints a line at least this far apart (and at the end).
  static constexpr absl::Duration kPlainInterval = absl::Seconds(2);

  // REQUIRES: `out` outlives the reporter.
  ProgressReporter(std::ostream* out, bool interactive, size_t total, std::string what);

  // Records that `done` items are finished and redraws (interactive) or
  // prints a line when kPlainInterval has passed (plain). A `note` (what
  // is being done, e.g. "writing the index") follows the line, and a
  // `detail` (how far that is, e.g. "1200000 keys") the note; a new
  // non-empty note is printed at once also in plain mode, a new detail
  // alone is not.
  void Update(size_t done, absl::string_view note = {}, absl::string_view detail = {});
  // Prints the final state and ends the line.
  void Finish();

 private:
  std::ostream* const out_;
  const bool interactive_;
  const size_t total_;
  const std::string what_;
  const absl::Time start_ = absl::Now();
  absl::Time last_plain_ = absl::InfinitePast();
  size_t done_ = 0;
  std::string note_;
  std::string detail_;
  size_t drawn_width_ = 0;

  std::string Line(absl::Time now) const;
};

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_PROGRESS_H_
