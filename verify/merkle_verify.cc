#include "verify/merkle_verify.h"

#include "absl/strings/str_cat.h"
#include "verify/merkle_hash.h"

namespace stakeledger::verify {
namespace {

absl::Status CheckHashes(absl::Span<const std::string> hashes, absl::string_view what) {
  for (const std::string& hash : hashes) {
    if (hash.size() != kHashBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " holds a hash of ", hash.size(), " bytes, expected ", kHashBytes));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckHash(absl::string_view hash, absl::string_view what) {
  if (hash.size() == kHashBytes) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, " is ", hash.size(), " bytes, expected ", kHashBytes));
}

// Shifts both right until fn's lowest bit is set or fn is 0 (RFC 9162's
// "right-shift fn and sn equally until").
void ShiftPastZeros(uint64_t* fn, uint64_t* sn) {
  while ((*fn & 1) == 0 && *fn != 0) {
    *fn >>= 1;
    *sn >>= 1;
  }
}

}  // namespace

absl::StatusOr<std::string> RootFromInclusionProof(uint64_t index, uint64_t tree_size,
                                                   absl::string_view leaf_hash,
                                                   absl::Span<const std::string> proof) {
  if (index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", index, " is not in a tree of ", tree_size, " leaves"));
  }
  if (auto status = CheckHash(leaf_hash, "the leaf hash"); !status.ok()) return status;
  if (auto status = CheckHashes(proof, "the inclusion proof"); !status.ok()) return status;
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  std::string r(leaf_hash);
  for (const std::string& p : proof) {
    if (sn == 0) return absl::DataLossError("inclusion proof is too long: does not verify");
    if ((fn & 1) == 1 || fn == sn) {
      r = HashChildren(p, r);
      ShiftPastZeros(&fn, &sn);
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::DataLossError("inclusion proof is too short: does not verify");
  return r;
}

absl::Status VerifyInclusion(uint64_t index, uint64_t tree_size, absl::string_view leaf_hash,
                             absl::Span<const std::string> proof, absl::string_view root) {
  if (auto status = CheckHash(root, "the root"); !status.ok()) return status;
  auto computed = RootFromInclusionProof(index, tree_size, leaf_hash, proof);
  if (!computed.ok()) return computed.status();
  if (*computed != root) {
    return absl::DataLossError(absl::StrCat("inclusion proof for leaf ", index, " in tree size ",
                                            tree_size, " leads to root ", ToHex(*computed),
                                            ", not ", ToHex(root), ": does not verify"));
  }
  return absl::OkStatus();
}

absl::Status VerifyConsistency(uint64_t size1, uint64_t size2, absl::Span<const std::string> proof,
                               absl::string_view root1, absl::string_view root2) {
  if (size1 > size2) {
    return absl::InvalidArgumentError(
        absl::StrCat("tree size ", size1, " is larger than tree size ", size2));
  }
  if (auto status = CheckHash(root1, "the first root"); !status.ok()) return status;
  if (auto status = CheckHash(root2, "the second root"); !status.ok()) return status;
  if (auto status = CheckHashes(proof, "the consistency proof"); !status.ok()) return status;
  if (size1 == size2 || size1 == 0) {
    if (!proof.empty()) return absl::DataLossError("consistency proof should be empty");
    if (size1 == size2 && root1 != root2) {
      return absl::DataLossError(absl::StrCat("two trees of size ", size1,
                                              " have different roots: ", ToHex(root1), " and ",
                                              ToHex(root2)));
    }
    return absl::OkStatus();
  }
  if (proof.empty()) return absl::DataLossError("consistency proof is empty: does not verify");
  // When size1 is a power of two its root is a node of the larger tree and
  // the RFC leaves it out of the proof: it starts the path instead.
  const bool size1_is_power = (size1 & (size1 - 1)) == 0;
  size_t next = 0;
  std::string fr = size1_is_power ? std::string(root1) : proof[next++];
  std::string sr = fr;
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  for (; next < proof.size(); ++next) {
    const std::string& c = proof[next];
    if (sn == 0) return absl::DataLossError("consistency proof is too long: does not verify");
    if ((fn & 1) == 1 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      ShiftPastZeros(&fn, &sn);
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return absl::DataLossError("consistency proof is too short: does not verify");
  if (fr != root1 || sr != root2) {
    return absl::DataLossError(
        absl::StrCat("consistency proof from size ", size1, " to ", size2, " does not verify"));
  }
  return absl::OkStatus();
}

}  // namespace stakeledger::verify
