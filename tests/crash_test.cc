// Durability across crashes: writers append with their own event ids and
// record every acknowledged event; ledgerd is killed with SIGKILL at a
// random moment (fixed seed) and restarted on the same data, several times.
// After each restart every acknowledged event is at its acknowledged
// position, positions are dense, every stored record hashes to its leaf
// hash and decodes to the event served, and retrying an unacknowledged
// append writes it once or replays it, never twice.
#include <sodium.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/ledger_test_util.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {
namespace {

using grpc::StatusCode;

constexpr uint32_t kSeed = 20'241'123;
constexpr int kRounds = 5;
constexpr int kWriters = 3;
constexpr int kStreams = 4;
constexpr int kEventsPerAppendMax = 5;
// The kill comes this long after the writers start.
constexpr int kKillAfterMsMin = 100;
constexpr int kKillAfterMsMax = 400;
// Bounds on one writer in one round; the kill ends it long before.
constexpr int kAppendsPerRoundMax = 100'000;
constexpr absl::Duration kRoundTimeMax = absl::Seconds(20);
constexpr absl::Duration kAppendTimeout = absl::Seconds(5);

// RFC 6962 leaf hash, computed here independently of ledgerd's code.
std::string LeafHash(const std::string& record) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  const unsigned char leaf_prefix = 0x00;
  crypto_hash_sha256_update(&state, &leaf_prefix, 1);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(record.data()),
                            record.size());
  std::string hash(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256_final(&state, reinterpret_cast<unsigned char*>(hash.data()));
  return hash;
}

// What the writers were told.
struct Ledger {
  std::mutex mu;
  // Event id -> acknowledged position.
  std::map<std::string, uint64_t> acknowledged;
  // Requests whose outcome the writer never learned.
  std::vector<v1::AppendRequest> unacknowledged;
  // Status codes of the failed appends, by name.
  std::map<std::string, int> failure_codes;
};

class CrashTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_GE(sodium_init(), 0); }

  void SetUp() override {
    const absl::Status started = ledgerd_.Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  // Appends with fresh ids until an append fails (the server went away),
  // recording the outcome of each.
  void RunWriter(int round, int writer, uint32_t seed) {
    std::mt19937 random(seed);
    std::unique_ptr<v1::EventStore::Stub> stub = ledgerd_.NewStub();
    const absl::Time deadline = absl::Now() + kRoundTimeMax;
    for (int a = 0; a < kAppendsPerRoundMax && absl::Now() < deadline; ++a) {
      const v1::AppendRequest request = MakeRequest(round, writer, a, random);
      grpc::ClientContext context;
      SetDeadline(&context, kAppendTimeout);
      v1::AppendResponse response;
      const grpc::Status status = stub->Append(&context, request, &response);
      std::lock_guard<std::mutex> lock(ledger_.mu);
      if (!status.ok()) {
        ledger_.unacknowledged.push_back(request);
        ++ledger_.failure_codes[StatusCodeName(status.error_code())];
        return;
      }
      EXPECT_FALSE(response.idempotent_replay());
      EXPECT_EQ(response.last_position() - response.first_position() + 1,
                static_cast<uint64_t>(request.events_size()));
      for (int e = 0; e < request.events_size(); ++e) {
        ledger_.acknowledged[request.events(e).event_id()] = response.first_position() + e;
      }
    }
    ADD_FAILURE() << "writer " << writer << " was never stopped";
  }

  static v1::AppendRequest MakeRequest(int round, int writer, int append, std::mt19937& random) {
    const int events = 1 + static_cast<int>(random() % kEventsPerAppendMax);
    std::vector<v1::ProposedEvent> proposed;
    for (int e = 0; e < events; ++e) {
      const uint64_t high = (uint64_t{static_cast<uint32_t>(round)} << 32) | writer;
      const uint64_t low = uint64_t{static_cast<uint32_t>(append)} * kEventsPerAppendMax + e;
      v1::ProposedEvent event =
          MakeEvent(e % 2 == 0 ? "stake-bought" : "stake-sold",
                    std::string(10 + random() % 200, static_cast<char>('a' + random() % 26)),
                    TestUuid(high, low));
      (*event.mutable_metadata())["writer"] = absl::StrCat(writer);
      proposed.push_back(std::move(event));
    }
    return MakeAppend(absl::StrCat("crash-", random() % kStreams), std::move(proposed));
  }

  // Writers append until ledgerd is stopped `how` after `stop_after`.
  enum class StopBy { kSigkill, kSigterm };
  void RunRound(int round, absl::Duration stop_after, StopBy how, std::mt19937& random) {
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back(&CrashTest::RunWriter, this, round, w, static_cast<uint32_t>(random()));
    }
    absl::SleepFor(stop_after);
    const absl::StatusOr<ExitInfo> exit =
        how == StopBy::kSigkill ? ledgerd_.Kill() : ledgerd_.Stop();
    for (std::thread& writer : writers) writer.join();
    ASSERT_TRUE(exit.ok()) << exit.status();
    if (how == StopBy::kSigterm) {
      EXPECT_TRUE(exit->clean()) << exit->ToString() << "; stdout:\n" << ledgerd_.output();
    }
    const absl::Status restarted = ledgerd_.Restart();
    ASSERT_TRUE(restarted.ok()) << restarted;
  }

  // The whole log after a restart: dense, hashed, decodable, holding every
  // acknowledged event where it was acknowledged, each id once.
  void VerifyLog() {
    const ReadResult log = ReadWholeLog(ledgerd_.stub(), /*include_record=*/true);
    ASSERT_TRUE(HasCode(log.status, StatusCode::OK));
    v1::LogInfo info;
    ASSERT_TRUE(HasCode(GetLogInfo(ledgerd_.stub(), &info), StatusCode::OK));
    ASSERT_TRUE(IsRange(log.positions(), 1, info.head_position())) << "positions are not dense";
    std::set<std::string> ids;
    std::map<std::string, std::vector<uint64_t>> stream_positions;
    for (const v1::RecordedEvent& event : log.events) {
      VerifyRecord(event);
      EXPECT_TRUE(ids.insert(event.event_id()).second)
          << "event id " << event.event_id() << " is stored twice";
      std::vector<uint64_t>& positions = stream_positions[event.stream()];
      EXPECT_EQ(event.revision(), positions.size())
          << "revisions of " << event.stream() << " are not dense";
      positions.push_back(event.position());
    }
    for (const auto& [stream, positions] : stream_positions) VerifyStreamIndex(stream, positions);
    std::lock_guard<std::mutex> lock(ledger_.mu);
    for (const auto& [id, position] : ledger_.acknowledged) {
      ASSERT_LE(position, log.events.size()) << "acknowledged event " << id << " is lost";
      EXPECT_EQ(log.events[position - 1].event_id(), id) << "at position " << position;
    }
  }

  // The stream index and stream head, written in the same batch as the
  // log, agree with it.
  void VerifyStreamIndex(const std::string& stream, const std::vector<uint64_t>& positions) {
    v1::ReadStreamRequest request;
    request.set_stream(stream);
    const ReadResult read = ReadStream(ledgerd_.stub(), request);
    ASSERT_TRUE(HasCode(read.status, StatusCode::OK)) << stream;
    EXPECT_EQ(read.positions(), positions) << stream;
    v1::StreamInfo info;
    ASSERT_TRUE(HasCode(GetStream(ledgerd_.stub(), stream, &info), StatusCode::OK)) << stream;
    EXPECT_EQ(info.event_count(), positions.size()) << stream;
    EXPECT_EQ(info.last_position(), positions.back()) << stream;
  }

  static void VerifyRecord(const v1::RecordedEvent& event) {
    ASSERT_FALSE(event.record().empty()) << "position " << event.position();
    EXPECT_EQ(LeafHash(event.record()), event.leaf_hash()) << "position " << event.position();
    v1::RecordedEvent stored;
    ASSERT_TRUE(stored.ParseFromString(event.record())) << "position " << event.position();
    v1::RecordedEvent served = event;
    served.clear_leaf_hash();
    served.clear_record();
    EXPECT_TRUE(SameMessage(served, stored)) << "position " << event.position();
  }

  // Resends every unacknowledged request: each must succeed, either as a
  // replay of what was written before the crash or as a first write.
  void RetryUnacknowledged(int* replays, int* first_writes) {
    std::vector<v1::AppendRequest> retries;
    {
      std::lock_guard<std::mutex> lock(ledger_.mu);
      retries.swap(ledger_.unacknowledged);
    }
    for (const v1::AppendRequest& request : retries) {
      v1::AppendResponse response;
      ASSERT_TRUE(HasCode(Append(ledgerd_.stub(), request, &response), StatusCode::OK));
      ++*(response.idempotent_replay() ? replays : first_writes);
      std::lock_guard<std::mutex> lock(ledger_.mu);
      for (int e = 0; e < request.events_size(); ++e) {
        ledger_.acknowledged[request.events(e).event_id()] = response.first_position() + e;
      }
    }
  }

  void RunRounds(StopBy how) {
    std::mt19937 random(kSeed);
    int replays = 0;
    int first_writes = 0;
    for (int round = 0; round < kRounds; ++round) {
      SCOPED_TRACE(absl::StrCat("round ", round));
      const int stop_after_ms =
          kKillAfterMsMin + static_cast<int>(random() % (kKillAfterMsMax - kKillAfterMsMin + 1));
      ASSERT_NO_FATAL_FAILURE(RunRound(round, absl::Milliseconds(stop_after_ms), how, random));
      ASSERT_NO_FATAL_FAILURE(VerifyLog());
      ASSERT_NO_FATAL_FAILURE(RetryUnacknowledged(&replays, &first_writes));
      ASSERT_NO_FATAL_FAILURE(VerifyLog());
    }
    std::lock_guard<std::mutex> lock(ledger_.mu);
    EXPECT_GT(ledger_.acknowledged.size(), 0u);
    std::string codes;
    for (const auto& [code, count] : ledger_.failure_codes) {
      absl::StrAppend(&codes, " ", code, "=", count);
      // A killed server drops its connections: UNAVAILABLE. A stopping one
      // refuses new appends with UNAVAILABLE, but a call that reaches gRPC
      // after its shutdown began is cancelled by gRPC itself: CANCELLED.
      const bool expected =
          code == "UNAVAILABLE" || (how == StopBy::kSigterm && code == "CANCELLED");
      EXPECT_TRUE(expected) << count << " appends failed with " << code;
    }
    std::fprintf(stderr,
                 "%zu events acknowledged; unacknowledged appends:%s; retried: %d replays, %d "
                 "first writes\n",
                 ledger_.acknowledged.size(), codes.c_str(), replays, first_writes);
  }

  LedgerdProcess ledgerd_;
  Ledger ledger_;
};

TEST_F(CrashTest, SigkillNeverLosesAnAcknowledgedEvent) { RunRounds(StopBy::kSigkill); }

TEST_F(CrashTest, SigtermMidAppendsKeepsEveryAcknowledgedEvent) { RunRounds(StopBy::kSigterm); }

}  // namespace
}  // namespace stakeledger::tests
