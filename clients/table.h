// Plain-text tables for ledgerctl's human-readable output: columns separated
// by two spaces, widths computed from the content (TablePrinter) or fixed
// (FormatFixedRow, for rows printed as they arrive), no trailing spaces.
#ifndef STAKELEDGER_CLIENTS_TABLE_H_
#define STAKELEDGER_CLIENTS_TABLE_H_

#include <cstddef>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace stakeledger::clients {

enum class Align { kLeft, kRight };

struct Column {
  std::string header;
  // Numbers are right-aligned and never cut; text is left-aligned and cut
  // with an ellipsis past width_max.
  Align align = Align::kLeft;
  // The widest a cell of this column is shown (code points); in fixed rows,
  // the exact width.
  size_t width_max = 40;
};

// Formats one line: each cell padded (or, for kLeft, cut) to widths[i] and
// separated by two spaces; the line has no trailing spaces.
// REQUIRES: columns, widths and cells have the same size.
std::string FormatRow(const std::vector<Column>& columns, const std::vector<size_t>& widths,
                      const std::vector<std::string>& cells);

// FormatRow with every width its column's width_max: for rows printed one at a
// time, whose widths cannot depend on rows not seen yet.
std::string FormatFixedRow(const std::vector<Column>& columns,
                           const std::vector<std::string>& cells);

// The header line FormatFixedRow's rows line up under.
std::string FormatFixedHeader(const std::vector<Column>& columns);

// "key  value" lines with the keys padded to the longest key, one per pair.
std::string FormatKeyValues(const std::vector<std::pair<std::string, std::string>>& pairs);

// Buffers rows and prints them as a table whose column widths fit the
// content (capped by width_max). Rows are printed in blocks of at most
// `block_rows_max` so memory stays bounded on long reads; each block has its
// own header and widths, and blocks are separated by an empty line.
//
// Thread safety: none.
class TablePrinter {
 public:
  static constexpr size_t kBlockRowsMax = 1000;

  // REQUIRES: out outlives the printer; block_rows_max > 0.
  TablePrinter(std::vector<Column> columns, std::ostream* out,
               size_t block_rows_max = kBlockRowsMax);
  TablePrinter(const TablePrinter&) = delete;
  TablePrinter& operator=(const TablePrinter&) = delete;

  // Adds a row; prints the block when it is full.
  // REQUIRES: cells.size() equals the number of columns.
  void AddRow(std::vector<std::string> cells);

  // Prints the rows still buffered, if any.
  void Flush();

  // Rows added so far, printed or not.
  size_t row_count() const { return row_count_; }

 private:
  const std::vector<Column> columns_;
  std::ostream* const out_;
  const size_t block_rows_max_;
  std::vector<std::vector<std::string>> block_;
  size_t row_count_ = 0;
  size_t blocks_printed_ = 0;
};

}  // namespace stakeledger::clients

#endif  // STAKELEDGER_CLIENTS_TABLE_H_
