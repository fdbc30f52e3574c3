// The text and JSON reports of the append and fill workloads.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "clients/bench_append.h"

namespace stakeledger::bench {

namespace {

double Rate(uint64_t count, double seconds) { return seconds > 0 ? count / seconds : 0; }

double Micros(uint64_t nanos) { return nanos / 1000.0; }

std::string LatencyText(const LatencyHistogram& histogram) {
  return absl::StrFormat("p50 %.1f  p99 %.1f  p999 %.1f  max %.1f",
                         Micros(histogram.ValueAtQuantile(0.5)),
                         Micros(histogram.ValueAtQuantile(0.99)),
                         Micros(histogram.ValueAtQuantile(0.999)), Micros(histogram.max()));
}

std::string LatencyJson(absl::string_view prefix, const LatencyHistogram& histogram) {
  return absl::StrFormat(
      ",\"%sp50_us\":%.1f,\"%sp99_us\":%.1f,\"%sp999_us\":%.1f,\"%smax_us\":%.1f", prefix,
      Micros(histogram.ValueAtQuantile(0.5)), prefix, Micros(histogram.ValueAtQuantile(0.99)),
      prefix, Micros(histogram.ValueAtQuantile(0.999)), prefix, Micros(histogram.max()));
}

// The figures both reports share, after the header.
std::string FormatTotals(const AppendReport& report) {
  return absl::StrFormat(
      "events      %d\nappends     %d\nseconds     %.3f\nevents/s    %.0f\nappends/s   %.1f\n"
      "latency_us  %s\nerrors      %s\n",
      report.events, report.appends, report.seconds, Rate(report.events, report.seconds),
      Rate(report.appends, report.seconds), LatencyText(report.latency_ns), report.errors.ToText());
}

std::string TotalsJson(const AppendReport& report) {
  return absl::StrCat(
      absl::StrFormat(",\"events\":%d,\"appends\":%d,\"seconds\":%.3f,\"events_per_s\":%.0f,"
                      "\"appends_per_s\":%.1f",
                      report.events, report.appends, report.seconds,
                      Rate(report.events, report.seconds), Rate(report.appends, report.seconds)),
      LatencyJson("", report.latency_ns), report.errors.ToJsonFields());
}

}  // namespace

std::string FormatAppendReport(const AppendOptions& options, const AppendReport& report,
                               bool json) {
  const bool paced = options.rate_appends_per_s > 0;
  if (json) {
    return absl::StrCat(
        absl::StrFormat(
            "{\"mode\":\"append\",\"clients\":%d,\"threads\":%d,\"channels\":%d,\"batch\":%d,"
            "\"payload_bytes\":%d,\"rate\":%.1f,\"streams\":%d,\"client_ids\":%s",
            options.clients, options.threads, options.channels, options.batch_events,
            options.payload_bytes, options.rate_appends_per_s, options.streams_per_client,
            options.client_ids ? "true" : "false"),
        TotalsJson(report), paced ? LatencyJson("service_", report.service_ns) : "", "}\n");
  }
  std::string text = absl::StrFormat(
      "append: %d clients on %d threads and %d channels, %d events of %d B per append, %d streams "
      "per client, "
      "%s ids, %s after %s warm-up, %s\n",
      options.clients, options.threads, options.channels, options.batch_events,
      options.payload_bytes, options.streams_per_client, options.client_ids ? "client" : "server",
      absl::FormatDuration(options.duration), absl::FormatDuration(options.warmup),
      paced ? absl::StrFormat("paced at %.0f appends/s", options.rate_appends_per_s)
            : std::string("closed loop"));
  absl::StrAppend(&text, FormatTotals(report));
  // Latency above is from the scheduled send; this is from the actual send.
  if (paced) absl::StrAppend(&text, "service_us  ", LatencyText(report.service_ns), "\n");
  return text;
}

std::string FormatFillReport(const FillOptions& options, const AppendReport& report, bool json) {
  if (json) {
    return absl::StrCat(
        absl::StrFormat("{\"mode\":\"fill\",\"clients\":%d,\"batch\":%d,"
                        "\"payload_bytes\":%d,\"client_ids\":%s",
                        options.clients, options.batch_events, options.payload_bytes,
                        options.client_ids ? "true" : "false"),
        TotalsJson(report), "}\n");
  }
  return absl::StrCat(
      absl::StrFormat("fill: %d events by %d clients, %d events of %d B per append\n",
                      options.events, options.clients, options.batch_events, options.payload_bytes),
      FormatTotals(report));
}

}  // namespace stakeledger::bench
