#pragma once

// One node's store: an embedded RocksDB under its data_dir, holding every
// actor's journal, checkpoints and metadata, each record framed and
// checksummed (persistence/record.hpp).
//
// Keys: 'a' | principal length (1 byte) | principal bytes | kind | sequence
// number (8 bytes, big endian), so one actor's records are adjacent and each
// kind is in sequence order. The store's identity (which node, which format)
// is the record under the key "\0store".
//
// Writing goes through a journal_writer (group commit); recovery reads here.

#include "messages/error.hpp"
#include "messages/principal.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rocksdb {
class DB;
class WriteBatch;
} // namespace rocksdb

namespace icto::store {

enum class record_kind : uint8_t;

/// The key of an actor's record.
std::string record_key(const principal& actor, record_kind kind, uint64_t seq);

/// One actor's state as its store has it, ready to be rebuilt: the last
/// usable checkpoint (if any) and the journal events after it.
struct recovered_actor {
  principal actor;
  /// The checkpoint's payload (a Boost.Serialization archive).
  std::optional<std::string> checkpoint;
  /// The last event the checkpoint includes; 0 without a checkpoint.
  uint64_t checkpoint_seq = 0;
  /// Events after the checkpoint, in sequence order, without gaps.
  std::vector<std::pair<uint64_t, std::string>> events;
  /// The sequence number of the last usable event: the actor's next event
  /// is last_seq + 1.
  uint64_t last_seq = 0;
  /// What was worked around: a corrupt newest checkpoint, a torn last
  /// journal record. For the log.
  std::vector<std::string> warnings;
};

/// How the store's records look for `icto store inspect`-like tools and
/// tests.
struct actor_summary {
  principal actor;
  bool has_meta = false;
  std::vector<uint64_t> checkpoints;
  uint64_t journal_records = 0;
  uint64_t first_journal_seq = 0;
  uint64_t last_journal_seq = 0;
};

class node_store {
 public:
  /// Opens (or creates) the store in `dir` for node `node_name`. Refuses a
  /// store that belongs to another node or has another format.
  static result<std::unique_ptr<node_store>>
  open(const std::filesystem::path& dir, const std::string& node_name);

  ~node_store();

  node_store(const node_store&) = delete;
  node_store& operator=(const node_store&) = delete;

  const std::filesystem::path& dir() const {
    return dir_;
  }

  /// Writes a batch; `sync` waits for the disk (fsync) before returning.
  result<unit> write(rocksdb::WriteBatch& batch, bool sync);

  /// Adds a framed record to `batch`.
  static void put_record(rocksdb::WriteBatch& batch, const principal& actor,
                         record_kind kind, uint64_t seq,
                         std::string_view payload);

  /// Adds to `batch` what a new checkpoint at `seq` (already framed in by
  /// put_record) makes obsolete: every checkpoint but the newest one before
  /// `seq`, and the journal up to and including that one's sequence number.
  /// The journal after the previous checkpoint stays, so a corrupt newest
  /// checkpoint can fall back to the previous one.
  void trim_before_checkpoint(rocksdb::WriteBatch& batch,
                              const principal& actor, uint64_t seq);

  /// Adds to `batch` the removal of every record of `actor`.
  static void erase_actor(rocksdb::WriteBatch& batch, const principal& actor);

  /// Every actor with records, in key order.
  std::vector<principal> actors() const;

  /// What the store holds for one actor.
  actor_summary summary(const principal& actor) const;

  /// The actor's metadata payload (what kind of actor, how to spawn it), or
  /// nothing; an error if the record is corrupt.
  result<std::optional<std::string>> read_meta(const principal& actor) const;

  /// The actor's last usable checkpoint and the journal after it. Errors
  /// name the actor and the sequence number: a corrupt record before the
  /// end of the journal, a gap, no usable checkpoint with a trimmed journal.
  result<recovered_actor> recover(const principal& actor) const;

  // -- raw access: fault-injection tests and tools --------------------------

  std::optional<std::string> get_raw(const std::string& key) const;
  result<unit> put_raw(const std::string& key, const std::string& value);

  rocksdb::DB& db() {
    return *db_;
  }

 private:
  node_store(std::filesystem::path dir, std::unique_ptr<rocksdb::DB> db);

  /// Calls f(seq, framed value) for each record of that kind, in order.
  void
  each_record(const principal& actor, record_kind kind,
              const std::function<void(uint64_t, std::string_view)>& f) const;

  /// The records of that kind, in order.
  std::vector<std::pair<uint64_t, std::string>> scan(const principal& actor,
                                                     record_kind kind) const;

  std::filesystem::path dir_;
  std::unique_ptr<rocksdb::DB> db_;
};

} // namespace icto::store
