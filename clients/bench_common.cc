#include "clients/bench_common.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace stakeledger::bench {

std::string StatusCodeName(grpc::StatusCode code) {
  // gRPC and Abseil share the canonical code numbers and names.
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

void ErrorCounts::Add(grpc::StatusCode code) {
  const int index = static_cast<int>(code);
  // Codes outside the enum are counted as UNKNOWN rather than dropped.
  ++counts_[index >= 0 && index < kStatusCodeCount ? index : grpc::StatusCode::UNKNOWN];
}

void ErrorCounts::Merge(const ErrorCounts& other) {
  for (int i = 0; i < kStatusCodeCount; ++i) counts_[i] += other.counts_[i];
}

uint64_t ErrorCounts::total() const {
  uint64_t sum = 0;
  for (const uint64_t count : counts_) sum += count;
  return sum;
}

std::string ErrorCounts::ToText() const {
  std::string text;
  for (int i = 0; i < kStatusCodeCount; ++i) {
    if (counts_[i] == 0) continue;
    absl::StrAppend(&text, text.empty() ? "" : " ",
                    StatusCodeName(static_cast<grpc::StatusCode>(i)), "=", counts_[i]);
  }
  return text.empty() ? "none" : text;
}

std::string ErrorCounts::ToJsonFields() const {
  std::string json = absl::StrCat(",\"errors\":", total());
  for (int i = 0; i < kStatusCodeCount; ++i) {
    if (counts_[i] == 0) continue;
    absl::StrAppend(&json, ",\"errors_", StatusCodeName(static_cast<grpc::StatusCode>(i)),
                    "\":", counts_[i]);
  }
  return json;
}

void RunControl::Stop(std::string reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (reason_.empty()) reason_ = std::move(reason);
  }
  stopped_.store(true, std::memory_order_relaxed);
}

std::string RunControl::reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reason_;
}

ErrorAction ErrorStreak::OnError(const grpc::Status& status, RunControl* control) {
  ++consecutive_;
  const grpc::StatusCode code = status.error_code();
  const std::string what = absl::StrCat(StatusCodeName(code), ": ", status.error_message());
  // Every request of a run looks alike, so these would fail every time.
  if (code == grpc::StatusCode::INVALID_ARGUMENT || code == grpc::StatusCode::UNIMPLEMENTED ||
      code == grpc::StatusCode::PERMISSION_DENIED || code == grpc::StatusCode::UNAUTHENTICATED) {
    control->Stop(absl::StrCat("server rejected the request: ", what));
    return ErrorAction::kStop;
  }
  if (consecutive_ >= kConsecutiveErrorsMax) {
    control->Stop(
        absl::StrCat(consecutive_, " calls in a row failed (server down?); last: ", what));
    return ErrorAction::kStop;
  }
  if (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    return ErrorAction::kBackOff;
  }
  return ErrorAction::kContinue;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectChannel(const std::string& server,
                                                              int channel_index) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kReceiveMessageBytesMax);
  // By default channels with equal arguments share one subchannel, hence one
  // TCP connection and one HTTP/2 stream window; a local pool and a distinct
  // argument give every bench channel a connection of its own.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("stakeledger.bench_channel_index", channel_index);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args);
  const auto deadline =
      std::chrono::system_clock::now() + absl::ToChronoNanoseconds(kConnectTimeout);
  if (!channel->WaitForConnected(deadline)) {
    return absl::UnavailableError(absl::StrFormat("cannot connect to %s within %s (channel %d)",
                                                  server, absl::FormatDuration(kConnectTimeout),
                                                  channel_index));
  }
  return channel;
}

uint64_t RandomSeed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

std::string RandomBytes(size_t size, std::mt19937_64* rng) {
  std::string bytes(size, '\0');
  for (char& byte : bytes) byte = static_cast<char>((*rng)() & 0xff);
  return bytes;
}

void WriteRandomUuid(std::mt19937_64* rng, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  static constexpr size_t kUuidChars = 36;  // 32 hex digits and 4 dashes.
  uint64_t high = (*rng)();
  uint64_t low = (*rng)();
  // RFC 4122: version 4 in bits 76-79, variant 10 in bits 62-63.
  high = (high & ~uint64_t{0xf000}) | uint64_t{0x4000};
  low = (low & ~(uint64_t{0x3} << 62)) | (uint64_t{0x2} << 62);
  out->resize(kUuidChars);
  size_t nibble = 0;
  for (size_t i = 0; i < kUuidChars; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      (*out)[i] = '-';
      continue;
    }
    const uint64_t word = nibble < 16 ? high : low;
    const int bit = 60 - 4 * static_cast<int>(nibble % 16);
    (*out)[i] = kHex[(word >> bit) & 0xf];
    ++nibble;
  }
}

}  // namespace stakeledger::bench
