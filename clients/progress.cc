#include "clients/progress.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace stakeledger::clients {
namespace {

std::string FormatSeconds(int64_t seconds) {
  if (seconds < 60) return absl::StrCat(seconds, "s");
  if (seconds < 3600) return absl::StrFormat("%dm%02ds", seconds / 60, seconds % 60);
  return absl::StrFormat("%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
}

}  // namespace

std::string FormatProgressLine(size_t done, size_t total, absl::string_view what,
                               absl::Duration elapsed) {
  const size_t filled = total == 0 ? kProgressBarWidth : done * kProgressBarWidth / total;
  std::string line =
      absl::StrCat("[", std::string(filled, '#'), std::string(kProgressBarWidth - filled, '-'),
                   "] ", done, "/", total, " ", what);
  const double seconds = absl::ToDoubleSeconds(elapsed);
  if (done == 0 || seconds < 0.001) return absl::StrCat(line, "  -/s  ETA -");
  const double rate = static_cast<double>(done) / seconds;
  const auto left = static_cast<int64_t>(static_cast<double>(total - done) / rate + 0.5);
  return absl::StrCat(line, absl::StrFormat("  %.1f/s  ETA ", rate), FormatSeconds(left));
}

ProgressReporter::ProgressReporter(std::ostream* out, bool interactive, size_t total,
                                   std::string what)
    : out_(out), interactive_(interactive), total_(total), what_(std::move(what)) {}

std::string ProgressReporter::Line(absl::Time now) const {
  std::string line = FormatProgressLine(done_, total_, what_, now - start_);
  if (!note_.empty()) absl::StrAppend(&line, "  ", note_);
  if (!note_.empty() && !detail_.empty()) absl::StrAppend(&line, ": ", detail_);
  return line;
}

void ProgressReporter::Update(size_t done, absl::string_view note, absl::string_view detail) {
  done_ = std::min(done, total_);
  const bool new_note = !note.empty() && note != note_;
  note_ = std::string(note);
  detail_ = std::string(detail);
  const absl::Time now = absl::Now();
  const std::string line = Line(now);
  if (interactive_) {
    // Pad over what is left of a longer previous line.
    const size_t pad = drawn_width_ > line.size() ? drawn_width_ - line.size() : 0;
    *out_ << '\r' << line << std::string(pad, ' ') << std::flush;
    drawn_width_ = line.size();
    return;
  }
  if (!new_note && now - last_plain_ < kPlainInterval) return;
  last_plain_ = now;
  *out_ << line << std::endl;
}

void ProgressReporter::Finish() {
  note_.clear();
  detail_.clear();
  const std::string line = Line(absl::Now());
  if (interactive_) {
    const size_t pad = drawn_width_ > line.size() ? drawn_width_ - line.size() : 0;
    *out_ << '\r' << line << std::string(pad, ' ') << std::endl;
    return;
  }
  *out_ << line << std::endl;
}

}  // namespace stakeledger::clients
