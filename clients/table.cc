#include "clients/table.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "clients/text.h"

namespace stakeledger::clients {
namespace {

// A broken REQUIRES is a bug in ledgerctl, not an operating error: stop.
void RequireSameSize(size_t columns, size_t cells) {
  if (columns == cells) return;
  std::fprintf(stderr, "ledgerctl: bug: table row has %zu cells for %zu columns\n", cells, columns);
  std::abort();
}

std::string Pad(const std::string& text, size_t width, Align align) {
  const size_t text_width = DisplayWidth(text);
  if (text_width >= width) return text;
  const std::string padding(width - text_width, ' ');
  return align == Align::kRight ? padding + text : text + padding;
}

std::vector<std::string> Headers(const std::vector<Column>& columns) {
  std::vector<std::string> headers;
  headers.reserve(columns.size());
  for (const Column& column : columns) headers.push_back(column.header);
  return headers;
}

std::vector<size_t> FixedWidths(const std::vector<Column>& columns) {
  std::vector<size_t> widths;
  widths.reserve(columns.size());
  for (const Column& column : columns) widths.push_back(column.width_max);
  return widths;
}

}  // namespace

std::string FormatRow(const std::vector<Column>& columns, const std::vector<size_t>& widths,
                      const std::vector<std::string>& cells) {
  RequireSameSize(columns.size(), cells.size());
  RequireSameSize(columns.size(), widths.size());
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    const Column& column = columns[i];
    const std::string cell =
        column.align == Align::kLeft ? FitToWidth(cells[i], widths[i]) : cells[i];
    const bool last = i + 1 == cells.size();
    if (i > 0) line += "  ";
    line += (last && column.align == Align::kLeft) ? cell : Pad(cell, widths[i], column.align);
  }
  // An empty last cell would leave the separator and padding behind.
  absl::StripTrailingAsciiWhitespace(&line);
  return line;
}

std::string FormatFixedRow(const std::vector<Column>& columns,
                           const std::vector<std::string>& cells) {
  return FormatRow(columns, FixedWidths(columns), cells);
}

std::string FormatFixedHeader(const std::vector<Column>& columns) {
  return FormatFixedRow(columns, Headers(columns));
}

std::string FormatKeyValues(const std::vector<std::pair<std::string, std::string>>& pairs) {
  size_t key_width = 0;
  for (const auto& [key, value] : pairs) key_width = std::max(key_width, DisplayWidth(key));
  std::string text;
  for (const auto& [key, value] : pairs) {
    text += Pad(key, key_width, Align::kLeft);
    text += "  ";
    text += value;
    text += '\n';
  }
  return text;
}

TablePrinter::TablePrinter(std::vector<Column> columns, std::ostream* out, size_t block_rows_max)
    : columns_(std::move(columns)),
      out_(out),
      block_rows_max_(std::max<size_t>(block_rows_max, 1)) {
  block_.reserve(std::min(block_rows_max_, size_t{64}));
}

void TablePrinter::AddRow(std::vector<std::string> cells) {
  RequireSameSize(columns_.size(), cells.size());
  block_.push_back(std::move(cells));
  ++row_count_;
  if (block_.size() >= block_rows_max_) Flush();
}

void TablePrinter::Flush() {
  if (block_.empty()) return;
  std::vector<size_t> widths;
  for (const Column& column : columns_) widths.push_back(DisplayWidth(column.header));
  for (const auto& row : block_) {
    for (size_t i = 0; i < row.size(); ++i) {
      const size_t cap = columns_[i].align == Align::kLeft ? columns_[i].width_max : SIZE_MAX;
      widths[i] = std::max(widths[i], std::min(DisplayWidth(row[i]), cap));
    }
  }
  if (blocks_printed_ > 0) *out_ << '\n';
  *out_ << FormatRow(columns_, widths, Headers(columns_)) << '\n';
  for (const auto& row : block_) *out_ << FormatRow(columns_, widths, row) << '\n';
  out_->flush();
  block_.clear();
  ++blocks_printed_;
}

}  // namespace stakeledger::clients
