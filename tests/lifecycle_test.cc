// ledgerd across stops and restarts: everything survives a clean restart
// bit for bit, positions and revisions continue, and SIGTERM ends open
// subscriptions with UNAVAILABLE before the process exits 0.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "stakeledger/v1/projections.grpc.pb.h"
#include "tests/ledger_test_util.h"
#include "tests/ledgerd_process.h"

namespace stakeledger::tests {
namespace {

using grpc::StatusCode;

constexpr int kStreams = 3;
constexpr int kAppendsPerStream = 20;
constexpr int kEventsPerAppend = 5;
constexpr uint64_t kFilledEvents = kStreams * kAppendsPerStream * kEventsPerAppend;

class LifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const absl::Status started = ledgerd_.Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  // kFilledEvents events, interleaved over kStreams streams, with ids,
  // metadata and both content types.
  void Fill() {
    for (int a = 0; a < kAppendsPerStream; ++a) {
      for (int s = 0; s < kStreams; ++s) {
        std::vector<v1::ProposedEvent> events;
        for (int e = 0; e < kEventsPerAppend; ++e) {
          v1::ProposedEvent event =
              MakeEvent("stake-changed", absl::StrCat(R"({"a":)", a, R"(,"e":)", e, "}"),
                        TestUuid(s + 1, a * kEventsPerAppend + e));
          (*event.mutable_metadata())["append"] = absl::StrCat(a);
          if (e % 2 == 1) event.set_content_type("text/plain");
          events.push_back(std::move(event));
        }
        ASSERT_TRUE(HasCode(Append(ledgerd_.stub(), MakeAppend(StreamName(s), std::move(events))),
                            StatusCode::OK));
      }
    }
  }

  static std::string StreamName(int s) { return absl::StrCat("stream-", s); }

  void RestartCleanly() {
    const absl::Status restarted = ledgerd_.Restart();
    ASSERT_TRUE(restarted.ok()) << restarted;
  }

  LedgerdProcess ledgerd_;
};

TEST_F(LifecycleTest, RestartKeepsEveryEventBitForBit) {
  ASSERT_NO_FATAL_FAILURE(Fill());
  const ReadResult before = ReadWholeLog(ledgerd_.stub(), /*include_record=*/true);
  ASSERT_TRUE(HasCode(before.status, StatusCode::OK));
  ASSERT_EQ(before.events.size(), kFilledEvents);
  v1::LogInfo info_before;
  ASSERT_TRUE(HasCode(GetLogInfo(ledgerd_.stub(), &info_before), StatusCode::OK));

  ASSERT_NO_FATAL_FAILURE(RestartCleanly());
  const ReadResult after = ReadWholeLog(ledgerd_.stub(), /*include_record=*/true);
  ASSERT_TRUE(HasCode(after.status, StatusCode::OK));
  ASSERT_EQ(after.events.size(), before.events.size());
  for (size_t i = 0; i < before.events.size(); ++i) {
    // Leaf hash and stored record bytes included.
    EXPECT_TRUE(SameMessage(before.events[i], after.events[i])) << "position " << i + 1;
  }
  v1::LogInfo info_after;
  ASSERT_TRUE(HasCode(GetLogInfo(ledgerd_.stub(), &info_after), StatusCode::OK));
  EXPECT_TRUE(SameMessage(info_before, info_after));
}

// A mistyped --data-dir silently creates a new ledger (RocksDB creates
// missing directories), so the console says which of the two happened.
TEST_F(LifecycleTest, ConsoleSaysWhetherTheLogWasCreatedOrOpenedAndItsHead) {
  ASSERT_NO_FATAL_FAILURE(Fill());
  ASSERT_TRUE(ledgerd_.Stop().ok());
  EXPECT_TRUE(
      absl::StrContains(ledgerd_.output(), "ledgerd: created a new, empty log: head position 0, "))
      << ledgerd_.output();
  ASSERT_TRUE(ledgerd_.Start().ok());
  ASSERT_TRUE(ledgerd_.Stop().ok());
  EXPECT_TRUE(absl::StrContains(
      ledgerd_.output(),
      absl::StrCat("ledgerd: opened the log: head position ", kFilledEvents, ", ")))
      << ledgerd_.output();
}

TEST_F(LifecycleTest, RestartContinuesPositionsAndRevisions) {
  ASSERT_NO_FATAL_FAILURE(Fill());
  ASSERT_NO_FATAL_FAILURE(RestartCleanly());
  v1::AppendResponse existing;
  ASSERT_TRUE(HasCode(Append(ledgerd_.stub(),
                             MakeAppend(StreamName(0), {MakeEvent("t", "x")},
                                        ExactRevision(kAppendsPerStream * kEventsPerAppend - 1)),
                             &existing),
                      StatusCode::OK));
  EXPECT_EQ(existing.first_position(), kFilledEvents + 1);
  EXPECT_EQ(existing.first_revision(), static_cast<uint64_t>(kAppendsPerStream * kEventsPerAppend));
  v1::AppendResponse fresh;
  ASSERT_TRUE(HasCode(
      Append(ledgerd_.stub(), MakeAppend("new-stream", {MakeEvent("t", "y")}, NoStream()), &fresh),
      StatusCode::OK));
  EXPECT_EQ(fresh.first_position(), kFilledEvents + 2);
  EXPECT_EQ(fresh.first_revision(), 0u);
  EXPECT_TRUE(IsRange(ReadWholeLog(ledgerd_.stub()).positions(), 1, kFilledEvents + 2));
}

TEST_F(LifecycleTest, RetryAfterRestartIsAnIdempotentReplay) {
  const v1::AppendRequest request =
      MakeAppend("s", {MakeEvent("t", "x", TestUuid(5, 1)), MakeEvent("t", "y", TestUuid(5, 2))});
  v1::AppendResponse original;
  ASSERT_TRUE(HasCode(Append(ledgerd_.stub(), request, &original), StatusCode::OK));
  ASSERT_NO_FATAL_FAILURE(RestartCleanly());
  v1::AppendResponse replay;
  ASSERT_TRUE(HasCode(Append(ledgerd_.stub(), request, &replay), StatusCode::OK));
  EXPECT_TRUE(replay.idempotent_replay());
  EXPECT_EQ(replay.first_position(), original.first_position());
  EXPECT_EQ(replay.last_position(), original.last_position());
  EXPECT_EQ(ReadWholeLog(ledgerd_.stub()).positions(), Iota(1, 2));
}

TEST_F(LifecycleTest, SigtermEndsAnOpenSubscriptionWithUnavailableAndExitsZero) {
  ASSERT_NO_FATAL_FAILURE(Fill());
  Received received;
  std::atomic<bool> read_everything{false};
  grpc::Status ended;
  std::thread reader([&] {
    std::unique_ptr<v1::EventStore::Stub> stub = ledgerd_.NewStub();
    {
      SubscriptionReader subscription(*stub, v1::SubscribeRequest());
      read_everything.store(ReadUntil(subscription, &received, [](const Received& r) {
        return r.caught_up && r.events.size() >= kFilledEvents;
      }));
      // Now idle on a live subscription: only the server can end it.
      ReadUntil(subscription, &received, [](const Received&) { return false; });
      ended = subscription.Finish();
    }
    // The stub and its connection go with this thread, as a client that
    // saw its subscription end would close.
  });
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!read_everything.load() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));

  const absl::StatusOr<ExitInfo> exit = ledgerd_.Stop();
  reader.join();
  ASSERT_TRUE(read_everything.load());
  EXPECT_TRUE(IsRange(received.positions(), 1, kFilledEvents));
  EXPECT_TRUE(HasCode(ended, StatusCode::UNAVAILABLE));
  EXPECT_TRUE(absl::StrContains(ended.error_message(),
                                absl::StrCat("resubscribe from position ", kFilledEvents + 1)))
      << ended.error_message();
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_TRUE(exit->clean()) << exit->ToString() << "; stdout:\n" << ledgerd_.output();
}

TEST_F(LifecycleTest, SigtermOfAnIdleServerExitsZero) {
  const absl::StatusOr<ExitInfo> exit = ledgerd_.Stop();
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_TRUE(exit->clean()) << exit->ToString();
  EXPECT_TRUE(absl::StrContains(ledgerd_.output(), "ledgerd: stopped")) << ledgerd_.output();
}

// `ledgerd --projections=off` is a diagnostic for benchmarks: the log
// takes appends as usual, and every Projections call is refused with
// FAILED_PRECONDITION naming the flag, never answered from state that is
// not kept.
TEST(ProjectionsOffTest, AppendsWorkAndStakeQueriesAreRefusedNamingTheFlag) {
  LedgerdProcess ledgerd;
  const absl::Status started = ledgerd.Start({"--projections=off"});
  ASSERT_TRUE(started.ok()) << started;
  EXPECT_TRUE(
      HasCode(Append(ledgerd.stub(), MakeAppend("s", {MakeEvent("T", "{}")})), StatusCode::OK));
  auto projections = v1::Projections::NewStub(ledgerd.NewChannel());
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::StakeRequest request;
  request.set_holder("softbank-group");
  request.set_target("nvidia");
  request.set_as_of("2018-01-01");
  v1::StakeResponse response;
  const grpc::Status status = projections->GetStake(&context, request, &response);
  EXPECT_TRUE(HasCode(status, StatusCode::FAILED_PRECONDITION));
  EXPECT_TRUE(absl::StrContains(status.error_message(), "--projections=off"))
      << status.error_message();
}

}  // namespace
}  // namespace stakeledger::tests
