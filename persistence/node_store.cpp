#include "persistence/node_store.hpp"

#include "persistence/record.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <functional>
#include <string_view>

namespace icto::store {

namespace {

constexpr char actor_tag = 'a';
const std::string store_identity_key{"\0store", 6};
/// Bumped when the key layout or the meaning of records changes.
constexpr uint32_t store_layout_version = 1;

std::string actor_prefix(const principal& actor) {
  std::string key;
  key.reserve(2 + actor.size() + 9);
  key.push_back(actor_tag);
  key.push_back(static_cast<char>(actor.size()));
  key.append(reinterpret_cast<const char*>(actor.data()), actor.size());
  return key;
}

std::string kind_prefix(const principal& actor, record_kind kind) {
  auto key = actor_prefix(actor);
  key.push_back(static_cast<char>(kind));
  return key;
}

uint64_t seq_of_key(std::string_view key) {
  uint64_t seq = 0;
  for (size_t i = key.size() - 8; i < key.size(); ++i)
    seq = (seq << 8) | static_cast<uint8_t>(key[i]);
  return seq;
}

bool starts_with(const rocksdb::Slice& s, const std::string& prefix) {
  return s.size() >= prefix.size()
         && std::equal(prefix.begin(), prefix.end(), s.data());
}

error storage_error(const std::string& what, const rocksdb::Status& st) {
  return make_error(system_errc::storage_failure, what + ": " + st.ToString());
}

std::string describe(const principal& actor) {
  return actor.to_text();
}

} // namespace

std::string record_key(const principal& actor, record_kind kind, uint64_t seq) {
  auto key = kind_prefix(actor, kind);
  for (int shift = 56; shift >= 0; shift -= 8)
    key.push_back(static_cast<char>((seq >> shift) & 0xff));
  return key;
}

node_store::node_store(std::filesystem::path dir,
                       std::unique_ptr<rocksdb::DB> db)
    : dir_(std::move(dir)), db_(std::move(db)) {}

node_store::~node_store() {
  if (db_)
    db_->Close();
}

result<std::unique_ptr<node_store>>
node_store::open(const std::filesystem::path& dir,
                 const std::string& node_name) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return make_error(system_errc::storage_failure,
                      "cannot create the store folder " + dir.string() + ": "
                          + ec.message());
  rocksdb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  options.IncreaseParallelism(2);
  // Group commit is ours (journal_writer); keep RocksDB's WAL on, synced by
  // WriteOptions::sync.
  rocksdb::DB* raw = nullptr;
  auto st = rocksdb::DB::Open(options, dir.string(), &raw);
  if (!st.ok())
    return storage_error("cannot open the store in " + dir.string(), st);
  std::unique_ptr<rocksdb::DB> db{raw};
  // The store's identity: which node it belongs to, which layout.
  std::string expected = "icto-store layout "
                         + std::to_string(store_layout_version) + " node "
                         + node_name;
  std::string found;
  st = db->Get(rocksdb::ReadOptions{}, store_identity_key, &found);
  if (st.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    st = db->Put(wo, store_identity_key,
                 encode_record(record_kind::meta, 0, expected));
    if (!st.ok())
      return storage_error("cannot initialize the store in " + dir.string(),
                           st);
  } else if (!st.ok()) {
    return storage_error("cannot read the store in " + dir.string(), st);
  } else {
    auto rec = decode_record(found, record_kind::meta, 0);
    if (!rec.ok())
      return make_error(system_errc::storage_failure,
                        dir.string()
                            + ": the store's identity record is corrupt ("
                            + to_string(rec.problem) + ": " + rec.detail + ")");
    if (rec.payload != expected)
      return make_error(system_errc::storage_failure,
                        dir.string() + " holds '" + std::string{rec.payload}
                            + "', not '" + expected
                            + "': use the data folder of this node");
  }
  return std::unique_ptr<node_store>{new node_store(dir, std::move(db))};
}

result<unit> node_store::write(rocksdb::WriteBatch& batch, bool sync) {
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  auto st = db_->Write(wo, &batch);
  if (!st.ok())
    return storage_error("write to the store in " + dir_.string() + " failed",
                         st);
  return unit{};
}

void node_store::put_record(rocksdb::WriteBatch& batch, const principal& actor,
                            record_kind kind, uint64_t seq,
                            std::string_view payload) {
  batch.Put(record_key(actor, kind, seq), encode_record(kind, seq, payload));
}

void node_store::each_record(
    const principal& actor, record_kind kind,
    const std::function<void(uint64_t, std::string_view)>& f) const {
  auto prefix = kind_prefix(actor, kind);
  std::unique_ptr<rocksdb::Iterator> it{
      db_->NewIterator(rocksdb::ReadOptions{})};
  for (it->Seek(prefix); it->Valid() && starts_with(it->key(), prefix);
       it->Next()) {
    if (it->key().size() != prefix.size() + 8)
      continue;
    f(seq_of_key(it->key().ToStringView()), it->value().ToStringView());
  }
}

std::vector<std::pair<uint64_t, std::string>>
node_store::scan(const principal& actor, record_kind kind) const {
  std::vector<std::pair<uint64_t, std::string>> out;
  each_record(actor, kind, [&](uint64_t seq, std::string_view value) {
    out.emplace_back(seq, std::string{value});
  });
  return out;
}

void node_store::trim_before_checkpoint(rocksdb::WriteBatch& batch,
                                        const principal& actor, uint64_t seq) {
  std::vector<uint64_t> older;
  each_record(actor, record_kind::checkpoint, [&](uint64_t s, auto) {
    if (s < seq)
      older.push_back(s);
  });
  if (older.empty())
    return; // the first checkpoint: keep the whole journal
  auto previous = older.back();
  for (auto s : older)
    if (s != previous)
      batch.Delete(record_key(actor, record_kind::checkpoint, s));
  batch.DeleteRange(record_key(actor, record_kind::journal, 0),
                    record_key(actor, record_kind::journal, previous + 1));
}

void node_store::erase_actor(rocksdb::WriteBatch& batch,
                             const principal& actor) {
  auto from = actor_prefix(actor);
  auto to = from;
  to.push_back(static_cast<char>(0xff));
  batch.DeleteRange(from, to);
}

std::vector<principal> node_store::actors() const {
  std::vector<principal> out;
  std::unique_ptr<rocksdb::Iterator> it{
      db_->NewIterator(rocksdb::ReadOptions{})};
  std::string seek{actor_tag};
  it->Seek(seek);
  while (it->Valid() && it->key().size() >= 2 && it->key()[0] == actor_tag) {
    auto key = it->key();
    auto len = static_cast<uint8_t>(key[1]);
    if (key.size() < 2u + len)
      break;
    auto p = principal::from_bytes(
        reinterpret_cast<const uint8_t*>(key.data()) + 2, len);
    if (p) {
      out.push_back(*p);
      // Skip the rest of this actor: seek past its prefix.
      auto next = actor_prefix(*p);
      next.push_back(static_cast<char>(0xff));
      it->Seek(next);
    } else {
      it->Next();
    }
  }
  return out;
}

actor_summary node_store::summary(const principal& actor) const {
  actor_summary s;
  s.actor = actor;
  s.has_meta = get_raw(record_key(actor, record_kind::meta, 0)).has_value();
  each_record(actor, record_kind::checkpoint, [&](uint64_t seq, auto) {
    s.checkpoints.push_back(seq);
  });
  each_record(actor, record_kind::journal, [&](uint64_t seq, auto) {
    if (s.journal_records == 0)
      s.first_journal_seq = seq;
    s.last_journal_seq = seq;
    ++s.journal_records;
  });
  return s;
}

result<std::optional<std::string>>
node_store::read_meta(const principal& actor) const {
  auto raw = get_raw(record_key(actor, record_kind::meta, 0));
  if (!raw)
    return std::optional<std::string>{};
  auto rec = decode_record(*raw, record_kind::meta, 0);
  if (!rec.ok())
    return make_error(system_errc::storage_failure,
                      "actor " + describe(actor) + ": metadata record is "
                          + to_string(rec.problem) + " (" + rec.detail + ")");
  return std::optional<std::string>{std::string{rec.payload}};
}

result<recovered_actor> node_store::recover(const principal& actor) const {
  recovered_actor out;
  out.actor = actor;
  const auto who = "actor " + describe(actor);
  // The newest checkpoint that checks out; a corrupt one falls back.
  auto checkpoints = scan(actor, record_kind::checkpoint);
  for (auto it = checkpoints.rbegin(); it != checkpoints.rend(); ++it) {
    auto rec = decode_record(it->second, record_kind::checkpoint, it->first);
    if (!out.checkpoint && rec.ok()) {
      out.checkpoint = std::string{rec.payload};
      out.checkpoint_seq = it->first;
    } else if (!rec.ok()) {
      // An older checkpoint is checked too, though the newer one makes it
      // unneeded: damage is reported the moment it can be seen.
      out.warnings.push_back(
          who + ": checkpoint at seq " + std::to_string(it->first) + " is "
          + to_string(rec.problem) + " (" + rec.detail + "); "
          + (out.checkpoint ? "not needed (the newer checkpoint at seq "
                                  + std::to_string(out.checkpoint_seq)
                                  + " is good), but no fallback is left"
                            : "falling back to an older one"));
    }
  }
  auto journal = scan(actor, record_kind::journal);
  // Records the checkpoint includes are not replayed (trimming lags one
  // checkpoint behind), but they are checked: they are the fallback's.
  auto first = std::find_if(journal.begin(), journal.end(), [&](auto& r) {
    return r.first > out.checkpoint_seq;
  });
  for (auto it = journal.begin(); it != first; ++it) {
    auto rec = decode_record(it->second, record_kind::journal, it->first);
    if (!rec.ok())
      out.warnings.push_back(who + ": journal record at seq "
                             + std::to_string(it->first) + " is "
                             + to_string(rec.problem) + " (" + rec.detail
                             + "); not needed (the checkpoint at seq "
                             + std::to_string(out.checkpoint_seq)
                             + " includes it), but no fallback is left");
  }
  // Without a checkpoint (checkpoint_seq 0), `first` is the journal's
  // start: replaying from scratch needs it to be seq 1.
  if (!checkpoints.empty() && !out.checkpoint)
    if (first == journal.end() || first->first != 1)
      return make_error(system_errc::storage_failure,
                        who + ": no usable checkpoint ("
                            + std::to_string(checkpoints.size())
                            + " corrupt) and the journal does not start at "
                              "seq 1: cannot rebuild its state");
  uint64_t expect = out.checkpoint_seq + 1;
  for (auto it = first; it != journal.end(); ++it) {
    auto [seq, bytes] = std::move(*it);
    if (seq != expect)
      return make_error(system_errc::storage_failure,
                        who + ": journal gap: seq " + std::to_string(expect)
                            + " is missing (next is " + std::to_string(seq)
                            + ")");
    auto rec = decode_record(bytes, record_kind::journal, seq);
    if (!rec.ok()) {
      // Only a record cut short looks like a write the node died in; any other
      // damage to the last record may hide an acknowledged event, so the start
      // is refused.
      if (std::next(it) == journal.end()
          && rec.problem == record_problem::truncated) {
        // A write cut short at the end: it was never acknowledged.
        out.warnings.push_back(who
                               + ": dropped the torn last journal record "
                                 "at seq "
                               + std::to_string(seq) + " ("
                               + to_string(rec.problem) + ": " + rec.detail
                               + ")");
        break;
      }
      return make_error(system_errc::storage_failure,
                        who + ": journal record at seq " + std::to_string(seq)
                            + " is " + to_string(rec.problem) + " ("
                            + rec.detail
                            + (std::next(it) == journal.end()
                                   ? "): the last record is damaged, not "
                                     "cut short; refusing to start"
                                   : "), and records follow it: the "
                                     "store is damaged; refusing to start"));
    }
    out.events.emplace_back(seq, std::string{rec.payload});
    ++expect;
  }
  out.last_seq = expect - 1;
  return out;
}

std::optional<std::string> node_store::get_raw(const std::string& key) const {
  std::string value;
  auto st = db_->Get(rocksdb::ReadOptions{}, key, &value);
  if (!st.ok())
    return std::nullopt;
  return value;
}

result<unit> node_store::put_raw(const std::string& key,
                                 const std::string& value) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  auto st = db_->Put(wo, key, value);
  if (!st.ok())
    return storage_error("raw write failed", st);
  return unit{};
}

} // namespace icto::store
