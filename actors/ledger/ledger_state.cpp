#include "actors/ledger/ledger_state.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace icto {

namespace {

constexpr size_t max_memo_bytes = 32;
constexpr size_t subaccount_size = 32;
constexpr uint64_t u64_max = std::numeric_limits<uint64_t>::max();

error generic(ledger_generic_code code, std::string message) {
  return make_error(ledger_errc::generic_error, std::move(message),
                    static_cast<uint64_t>(code));
}

bool add_overflows(uint64_t x, uint64_t y) {
  return x > u64_max - y;
}

uint64_t saturating_add(uint64_t x, uint64_t y) {
  return add_overflows(x, y) ? u64_max : x + y;
}

uint64_t saturating_sub(uint64_t x, uint64_t y) {
  return x < y ? 0 : x - y;
}

uint64_t to_ns(std::chrono::nanoseconds d) {
  return d.count() < 0 ? 0 : static_cast<uint64_t>(d.count());
}

size_t hash_combine(size_t seed, uint64_t x) {
  return seed ^ (x + 0x9e3779b97f4a7c15ull + (seed << 6) + (seed >> 2));
}

std::optional<error> check_memo(const std::optional<blob>& memo) {
  if (memo && memo->size() > max_memo_bytes)
    return generic(ledger_generic_code::invalid_argument,
                   "memo: at most " + std::to_string(max_memo_bytes)
                       + " bytes, not " + std::to_string(memo->size()));
  return std::nullopt;
}

tokens balance(const ledger_state& st, const account_key& key) {
  auto x = st.balances.find(key);
  return x != nullptr ? *x : 0;
}

// -- transaction hashes ------------------------------------------------------

/// Writes a request's fields in one unambiguous byte form and hashes it:
/// every variable-length part has its length, every optional a flag.
class tx_encoder {
 public:
  explicit tx_encoder(ledger_op op, const principal& caller) {
    u8(static_cast<uint8_t>(op));
    u8(static_cast<uint8_t>(caller.size()));
    buf_.insert(buf_.end(), caller.data(), caller.data() + caller.size());
  }

  void u8(uint8_t x) {
    buf_.push_back(x);
  }

  void u64(uint64_t x) {
    for (int shift = 56; shift >= 0; shift -= 8)
      buf_.push_back(static_cast<uint8_t>(x >> shift));
  }

  void key(const account_key& x) {
    u8(static_cast<uint8_t>(x.owner.size()));
    buf_.insert(buf_.end(), x.owner.data(), x.owner.data() + x.owner.size());
    buf_.insert(buf_.end(), x.subaccount.begin(), x.subaccount.end());
  }

  void opt(const std::optional<uint64_t>& x) {
    u8(x ? 1 : 0);
    if (x)
      u64(*x);
  }

  void opt(const std::optional<blob>& x) {
    u8(x ? 1 : 0);
    if (x) {
      u64(x->size());
      buf_.insert(buf_.end(), x->begin(), x->end());
    }
  }

  blob finish() const {
    blob out(SHA256_DIGEST_LENGTH);
    SHA256(buf_.data(), buf_.size(), out.data());
    return out;
  }

 private:
  std::vector<uint8_t> buf_;
};

tx_hash to_tx_hash(const blob& x) {
  assert(x.size() == std::tuple_size_v<tx_hash>);
  tx_hash out{};
  std::copy_n(x.begin(), out.size(), out.begin());
  return out;
}

/// ICRC-1 deduplication: TooOld, CreatedInFuture or Duplicate if the
/// request carries `created_at_time`, else nothing.
/// REQUIRES: ev.time is the ledger time of the request.
std::optional<error> check_dedup(const ledger_state& st, ledger_event& ev,
                                 const tx_encoder& enc) {
  if (!ev.created_at_time)
    return std::nullopt;
  const auto created = *ev.created_at_time;
  const auto window = saturating_add(to_ns(st.config.tx_window),
                                     to_ns(st.config.permitted_drift));
  if (created < saturating_sub(ev.time, window))
    return make_error(ledger_errc::too_old,
                      "created_at_time is older than the dedup window");
  if (created > saturating_add(ev.time, to_ns(st.config.permitted_drift)))
    return make_error(ledger_errc::created_in_future,
                      "created_at_time is ahead of the ledger's time", ev.time);
  ev.tx_hash = enc.finish();
  if (auto block = st.dedup.find(to_tx_hash(ev.tx_hash)))
    return make_error(ledger_errc::duplicate,
                      "the same transaction is block " + std::to_string(*block),
                      *block);
  return std::nullopt;
}

std::optional<error> check_funds(const ledger_state& st,
                                 const account_key& from, tokens need) {
  auto have = balance(st, from);
  if (have < need)
    return make_error(ledger_errc::insufficient_funds,
                      "the balance is " + std::to_string(have) + ", "
                          + std::to_string(need) + " needed",
                      have);
  return std::nullopt;
}

std::optional<error> check_fee(const std::optional<tokens>& given,
                               tokens expected) {
  if (given && *given != expected)
    return make_error(ledger_errc::bad_fee,
                      "the fee is " + std::to_string(expected), expected);
  return std::nullopt;
}

/// Mint and burn checks shared by icrc1_transfer and icrc2_transfer_from.
std::optional<error> check_burn(const ledger_state& st,
                                const std::optional<tokens>& fee,
                                const account_key& from, tokens amount) {
  if (auto e = check_fee(fee, 0))
    return e;
  const auto fee_amount = st.config.fee;
  const auto min_burn = std::min(fee_amount, balance(st, from));
  if (amount < min_burn || amount == 0) {
    const auto shown = amount == 0 ? fee_amount : min_burn;
    return make_error(ledger_errc::bad_burn,
                      "a burn is at least " + std::to_string(shown), shown);
  }
  return std::nullopt;
}

// -- state changes (apply) ---------------------------------------------------

void credit(ledger_state& st, const account_key& to, tokens amount) {
  if (amount == 0)
    return;
  const tokens* old = st.balances.find(to);
  st.balances.set(to, (old != nullptr ? *old : 0) + amount);
}

void debit(ledger_state& st, const account_key& from, tokens amount) {
  if (amount == 0)
    return;
  const auto old = balance(st, from);
  assert(old >= amount);
  if (old == amount)
    st.balances.remove(from);
  else
    st.balances.set(from, old - amount);
}

void burn_fee(ledger_state& st, tokens fee) {
  st.burned += fee;
  st.fees_burned += fee;
}

uint64_t bucket_of(timestamp expires_at) {
  return expires_at / ledger_state::expiry_bucket_ns;
}

void unlink_expiry(ledger_state& st, const allowance_key& key,
                   const allowance_entry& entry) {
  if (!entry.expires_at)
    return;
  const auto b = bucket_of(*entry.expires_at);
  auto set = st.expiries.find(b);
  if (set == nullptr)
    return;
  auto rest = set->erase(key);
  if (rest.empty())
    st.expiries.remove(b);
  else
    st.expiries.set(b, std::move(rest));
}

/// Sets an allowance (0 removes it), keeping `expiries` in step.
void set_allowance(ledger_state& st, const allowance_key& key, tokens amount,
                   std::optional<timestamp> expires_at) {
  if (auto old = st.allowances.find(key))
    unlink_expiry(st, key, *old);
  if (amount == 0) {
    st.allowances.remove(key);
    return;
  }
  st.allowances.set(key, {amount, expires_at});
  if (expires_at) {
    const auto b = bucket_of(*expires_at);
    const auto* old = st.expiries.find(b);
    st.expiries.set(b, (old != nullptr ? *old : ledger_state::allowance_set{})
                           .insert(key, {}));
  }
}

void use_allowance(ledger_state& st, const allowance_key& key, tokens used) {
  auto entry = st.allowances.find(key);
  assert(entry != nullptr && entry->amount >= used);
  if (entry == nullptr)
    return;
  const auto left = entry->amount - used;
  set_allowance(st, key, left, entry->expires_at);
}

void prune_expiry_bucket(ledger_state& st, uint64_t b) {
  auto set = st.expiries.find(b);
  if (set == nullptr)
    return;
  set->for_each([&st](const allowance_key& key, trie_unit) {
    st.allowances.remove(key);
  });
  st.expiries.remove(b);
}

/// Drops what cannot matter any more at ledger time `t`: dedup entries
/// whose duplicates would be TooOld, and allowances expired in buckets
/// wholly before `t`.
void prune(ledger_state& st, timestamp t) {
  while (st.dedup_head < st.dedup_tail) {
    auto slot = st.dedup_fifo.find(st.dedup_head);
    assert(slot != nullptr);
    if (slot == nullptr || slot->prune_after >= t)
      break;
    st.dedup.remove(slot->hash);
    st.dedup_fifo.remove(st.dedup_head);
    ++st.dedup_head;
  }
  const auto target = bucket_of(t);
  if (st.expiry_cursor >= target)
    return;
  if (target - st.expiry_cursor <= st.expiries.size()) {
    for (auto b = st.expiry_cursor; b < target; ++b)
      prune_expiry_bucket(st, b);
  } else {
    std::vector<uint64_t> due;
    st.expiries.for_each([&](uint64_t b, const ledger_state::allowance_set&) {
      if (b < target)
        due.push_back(b);
    });
    for (auto b : due)
      prune_expiry_bucket(st, b);
  }
  st.expiry_cursor = target;
}

void record_dedup(ledger_state& st, const ledger_event& ev) {
  const auto h = to_tx_hash(ev.tx_hash);
  st.dedup.set(h, ev.block);
  const auto keep
      = saturating_add(to_ns(st.config.tx_window),
                       saturating_add(to_ns(st.config.permitted_drift),
                                      to_ns(st.config.permitted_drift)));
  st.dedup_fifo.set(st.dedup_tail++, {h, saturating_add(ev.time, keep)});
}

ledger_event make_event(const ledger_state& st, ledger_op op, timestamp now) {
  ledger_event ev;
  ev.op = op;
  ev.block = st.next_block;
  ev.time = ledger_time(st, now);
  return ev;
}

} // namespace

// -- keys
// ----------------------------------------------------------------------

size_t account_key::hash() const {
  size_t h = owner.hash();
  for (size_t i = 0; i < subaccount.size(); i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, subaccount.data() + i, sizeof(word));
    h = hash_combine(h, word);
  }
  return h;
}

size_t allowance_key::hash() const {
  return hash_combine(from.hash(), spender.hash());
}

size_t tx_hash_hash::operator()(const tx_hash& x) const noexcept {
  uint64_t word = 0;
  std::memcpy(&word, x.data(), sizeof(word));
  return static_cast<size_t>(word);
}

account_key key_of(const account& x) {
  account_key out;
  out.owner = x.owner;
  if (x.subaccount) {
    assert(x.subaccount->size() == subaccount_size);
    std::copy_n(x.subaccount->begin(),
                std::min(x.subaccount->size(), subaccount_size),
                out.subaccount.begin());
  }
  return out;
}

result<account_key> to_key(const account& x, const char* field) {
  if (x.subaccount && x.subaccount->size() != subaccount_size)
    return generic(ledger_generic_code::invalid_argument,
                   std::string{field} + ": a subaccount has "
                       + std::to_string(subaccount_size) + " bytes, not "
                       + std::to_string(x.subaccount->size()));
  return key_of(x);
}

account to_account(const account_key& x) {
  account out;
  out.owner = x.owner;
  const auto zero = std::all_of(x.subaccount.begin(), x.subaccount.end(),
                                [](uint8_t b) {
                                  return b == 0;
                                });
  if (!zero)
    out.subaccount = blob(x.subaccount.begin(), x.subaccount.end());
  return out;
}

bool operator==(const ledger_state& x, const ledger_state& y) {
  return x.config == y.config && x.balances == y.balances
         && x.allowances == y.allowances && x.expiries == y.expiries
         && x.expiry_cursor == y.expiry_cursor && x.dedup == y.dedup
         && x.dedup_fifo == y.dedup_fifo && x.dedup_head == y.dedup_head
         && x.dedup_tail == y.dedup_tail && x.next_block == y.next_block
         && x.last_time == y.last_time && x.minted == y.minted
         && x.burned == y.burned && x.fees_burned == y.fees_burned;
}

// -- genesis
// -------------------------------------------------------------------

result<unit> validate(const ledger_config& cfg) {
  auto minter = to_key(cfg.minting_account, "minting_account.subaccount");
  if (!minter)
    return minter.err();
  if (cfg.tx_window.count() < 0 || cfg.permitted_drift.count() < 0)
    return generic(ledger_generic_code::invalid_argument,
                   "tx_window and permitted_drift may not be negative");
  tokens total = 0;
  for (size_t i = 0; i < cfg.initial_balances.size(); ++i) {
    const auto& ib = cfg.initial_balances[i];
    const auto field = "initial_balances[" + std::to_string(i) + "]";
    auto key = to_key(ib.account, (field + ".account.subaccount").c_str());
    if (!key)
      return key.err();
    if (*key == *minter)
      return generic(ledger_generic_code::invalid_argument,
                     field + ": the minting account holds no balance");
    if (add_overflows(total, ib.amount))
      return generic(ledger_generic_code::overflow,
                     field + ": the total supply exceeds 2^64-1");
    total += ib.amount;
  }
  return unit{};
}

result<ledger_state> make_ledger_state(ledger_config cfg,
                                       timestamp genesis_time) {
  if (auto ok = validate(cfg); !ok)
    return ok.err();
  ledger_state st;
  st.config = std::move(cfg);
  for (const auto& ib : st.config.initial_balances) {
    auto ev = make_event(st, ledger_op::mint, genesis_time);
    ev.from = st.config.minting_account;
    ev.to = ib.account;
    ev.amount = ib.amount;
    apply(st, ev);
  }
  return st;
}

// -- updates
// -------------------------------------------------------------------

result<ledger_event> decide(const ledger_state& st, const principal& caller,
                            const transfer_arg& arg, timestamp now) {
  if (caller.is_anonymous())
    return generic(ledger_generic_code::anonymous_caller,
                   "the anonymous principal may not transfer");
  account from_acc{caller, arg.from_subaccount};
  auto from = to_key(from_acc, "from_subaccount");
  if (!from)
    return from.err();
  auto to = to_key(arg.to, "to.subaccount");
  if (!to)
    return to.err();
  if (auto e = check_memo(arg.memo))
    return *e;
  const auto minter = key_of(st.config.minting_account);
  ledger_event ev;
  tokens need = 0;
  if (*to == minter) {
    if (auto e = check_burn(st, arg.fee, *from, arg.amount))
      return *e;
    ev = make_event(st, ledger_op::burn, now);
    need = arg.amount;
  } else if (*from == minter) {
    if (auto e = check_fee(arg.fee, 0))
      return *e;
    if (add_overflows(st.minted, arg.amount))
      return generic(ledger_generic_code::overflow,
                     "amount: the total supply would exceed 2^64-1");
    ev = make_event(st, ledger_op::mint, now);
  } else {
    if (auto e = check_fee(arg.fee, st.config.fee))
      return *e;
    if (add_overflows(arg.amount, st.config.fee))
      return generic(ledger_generic_code::overflow,
                     "amount: amount + fee exceeds 2^64-1");
    ev = make_event(st, ledger_op::transfer, now);
    ev.fee = st.config.fee;
    need = arg.amount + ev.fee;
  }
  ev.from = std::move(from_acc);
  ev.to = arg.to;
  ev.amount = arg.amount;
  ev.memo = arg.memo;
  ev.created_at_time = arg.created_at_time;
  tx_encoder enc{ledger_op::transfer, caller};
  enc.key(*from);
  enc.key(*to);
  enc.u64(arg.amount);
  enc.opt(arg.fee);
  enc.opt(arg.memo);
  enc.opt(arg.created_at_time);
  if (auto e = check_dedup(st, ev, enc))
    return *e;
  if (auto e = check_funds(st, *from, need))
    return *e;
  return ev;
}

result<ledger_event> decide(const ledger_state& st, const principal& caller,
                            const approve_args& arg, timestamp now) {
  if (caller.is_anonymous())
    return generic(ledger_generic_code::anonymous_caller,
                   "the anonymous principal may not approve");
  account from_acc{caller, arg.from_subaccount};
  auto from = to_key(from_acc, "from_subaccount");
  if (!from)
    return from.err();
  auto spender = to_key(arg.spender, "spender.subaccount");
  if (!spender)
    return spender.err();
  if (auto e = check_memo(arg.memo))
    return *e;
  if (arg.spender.owner == caller)
    return generic(ledger_generic_code::self_approval,
                   "spender: may not be the caller's own principal");
  if (*from == key_of(st.config.minting_account))
    return generic(ledger_generic_code::minting_account_delegation,
                   "the minting account cannot delegate mints");
  if (auto e = check_fee(arg.fee, st.config.fee))
    return *e;
  auto ev = make_event(st, ledger_op::approve, now);
  ev.from = std::move(from_acc);
  ev.spender = arg.spender;
  ev.amount = arg.amount;
  ev.fee = st.config.fee;
  ev.memo = arg.memo;
  ev.created_at_time = arg.created_at_time;
  ev.expected_allowance = arg.expected_allowance;
  ev.expires_at = arg.expires_at;
  tx_encoder enc{ledger_op::approve, caller};
  enc.key(*from);
  enc.key(*spender);
  enc.u64(arg.amount);
  enc.opt(arg.expected_allowance);
  enc.opt(arg.expires_at);
  enc.opt(arg.fee);
  enc.opt(arg.memo);
  enc.opt(arg.created_at_time);
  if (auto e = check_dedup(st, ev, enc))
    return *e;
  if (auto e = check_funds(st, *from, ev.fee))
    return *e;
  if (arg.expires_at && *arg.expires_at <= ev.time)
    return make_error(ledger_errc::expired,
                      "expires_at is not after the ledger's time", ev.time);
  const auto current = current_allowance(st, {*from, *spender}, ev.time);
  if (arg.expected_allowance && *arg.expected_allowance != current)
    return make_error(ledger_errc::allowance_changed,
                      "the allowance is " + std::to_string(current), current);
  return ev;
}

result<ledger_event> decide(const ledger_state& st, const principal& caller,
                            const transfer_from_args& arg, timestamp now) {
  if (caller.is_anonymous())
    return generic(ledger_generic_code::anonymous_caller,
                   "the anonymous principal may not spend");
  account spender_acc{caller, arg.spender_subaccount};
  auto spender = to_key(spender_acc, "spender_subaccount");
  if (!spender)
    return spender.err();
  auto from = to_key(arg.from, "from.subaccount");
  if (!from)
    return from.err();
  auto to = to_key(arg.to, "to.subaccount");
  if (!to)
    return to.err();
  if (auto e = check_memo(arg.memo))
    return *e;
  const auto minter = key_of(st.config.minting_account);
  if (*from == minter)
    return generic(ledger_generic_code::minting_account_delegation,
                   "the minting account cannot delegate mints");
  ledger_event ev;
  tokens need = 0;
  if (*to == minter) {
    if (auto e = check_burn(st, arg.fee, *from, arg.amount))
      return *e;
    ev = make_event(st, ledger_op::burn, now);
    need = arg.amount;
  } else {
    if (auto e = check_fee(arg.fee, st.config.fee))
      return *e;
    if (add_overflows(arg.amount, st.config.fee))
      return generic(ledger_generic_code::overflow,
                     "amount: amount + fee exceeds 2^64-1");
    ev = make_event(st, ledger_op::transfer_from, now);
    ev.fee = st.config.fee;
    need = arg.amount + ev.fee;
  }
  ev.from = arg.from;
  ev.to = arg.to;
  ev.spender = std::move(spender_acc);
  ev.amount = arg.amount;
  ev.memo = arg.memo;
  ev.created_at_time = arg.created_at_time;
  tx_encoder enc{ledger_op::transfer_from, caller};
  enc.key(*spender);
  enc.key(*from);
  enc.key(*to);
  enc.u64(arg.amount);
  enc.opt(arg.fee);
  enc.opt(arg.memo);
  enc.opt(arg.created_at_time);
  if (auto e = check_dedup(st, ev, enc))
    return *e;
  if (*spender != *from) {
    const auto allowed = current_allowance(st, {*from, *spender}, ev.time);
    if (allowed < need)
      return make_error(ledger_errc::insufficient_allowance,
                        "the allowance is " + std::to_string(allowed) + ", "
                            + std::to_string(need) + " needed",
                        allowed);
  }
  if (auto e = check_funds(st, *from, need))
    return *e;
  return ev;
}

void apply(ledger_state& st, const ledger_event& ev) {
  assert(ev.block == st.next_block);
  prune(st, ev.time);
  const auto from = key_of(ev.from);
  switch (ev.op) {
  case ledger_op::mint:
    credit(st, key_of(ev.to), ev.amount);
    st.minted += ev.amount;
    break;
  case ledger_op::burn:
    if (ev.spender && key_of(*ev.spender) != from)
      use_allowance(st, {from, key_of(*ev.spender)}, ev.amount);
    debit(st, from, ev.amount);
    st.burned += ev.amount;
    break;
  case ledger_op::transfer:
    debit(st, from, ev.amount + ev.fee);
    credit(st, key_of(ev.to), ev.amount);
    burn_fee(st, ev.fee);
    break;
  case ledger_op::transfer_from:
    if (ev.spender && key_of(*ev.spender) != from)
      use_allowance(st, {from, key_of(*ev.spender)}, ev.amount + ev.fee);
    debit(st, from, ev.amount + ev.fee);
    credit(st, key_of(ev.to), ev.amount);
    burn_fee(st, ev.fee);
    break;
  case ledger_op::approve:
    debit(st, from, ev.fee);
    burn_fee(st, ev.fee);
    if (ev.spender)
      set_allowance(st, {from, key_of(*ev.spender)}, ev.amount, ev.expires_at);
    break;
  }
  if (!ev.tx_hash.empty())
    record_dedup(st, ev);
  st.next_block = ev.block + 1;
  st.last_time = std::max(st.last_time, ev.time);
}

// -- queries
// ---------------------------------------------------------------------

result<tokens> balance_of(const ledger_state& st, const account& acc) {
  auto key = to_key(acc, "subaccount");
  if (!key)
    return key.err();
  return balance(st, *key);
}

tokens current_allowance(const ledger_state& st, const allowance_key& key,
                         timestamp now) {
  auto entry = st.allowances.find(key);
  if (entry == nullptr || (entry->expires_at && *entry->expires_at <= now))
    return 0;
  return entry->amount;
}

result<allowance> allowance_of(const ledger_state& st,
                               const allowance_args& arg, timestamp now) {
  auto from = to_key(arg.account, "account.subaccount");
  if (!from)
    return from.err();
  auto spender = to_key(arg.spender, "spender.subaccount");
  if (!spender)
    return spender.err();
  const auto t = ledger_time(st, now);
  auto entry = st.allowances.find({*from, *spender});
  if (entry == nullptr || (entry->expires_at && *entry->expires_at <= t))
    return allowance{};
  return allowance{entry->amount, entry->expires_at};
}

tokens total_supply(const ledger_state& st) {
  return st.minted - st.burned;
}

ledger_stats stats_of(const ledger_state& st) {
  ledger_stats out;
  out.total_supply = total_supply(st);
  out.minted = st.minted;
  out.burned = st.burned;
  out.fees_burned = st.fees_burned;
  out.accounts = st.balances.size();
  out.transactions = st.next_block;
  return out;
}

metadata_entries metadata_of(const ledger_config& cfg) {
  return {
      {"icrc1:decimals", std::to_string(cfg.decimals)},
      {"icrc1:fee", std::to_string(cfg.fee)},
      {"icrc1:max_memo_length", std::to_string(max_memo_bytes)},
      {"icrc1:name", cfg.name},
      {"icrc1:symbol", cfg.symbol},
  };
}

standard_records supported_standards() {
  return {
      {"ICRC-1",
       "https://github.com/dfinity/ICRC-1/tree/main/standards/ICRC-1"},
      {"ICRC-2",
       "https://github.com/dfinity/ICRC-1/tree/main/standards/ICRC-2"},
  };
}

bool check_invariants(const ledger_state& st) {
  tokens sum = 0;
  bool ok = st.fees_burned <= st.burned && st.burned <= st.minted;
  st.balances.for_each([&](const account_key&, tokens b) {
    ok = ok && b > 0 && !add_overflows(sum, b);
    sum += b;
  });
  ok = ok && sum == st.minted - st.burned;
  ok = ok && st.balances.find(key_of(st.config.minting_account)) == nullptr;
  // Dedup index and queue in step.
  ok = ok && st.dedup_head <= st.dedup_tail
       && st.dedup_fifo.size() == st.dedup_tail - st.dedup_head
       && st.dedup.size() == st.dedup_fifo.size();
  st.dedup_fifo.for_each([&](uint64_t slot, const dedup_slot& x) {
    ok = ok && slot >= st.dedup_head && slot < st.dedup_tail
         && st.dedup.find(x.hash) != nullptr;
  });
  // Every stored allowance is non-zero; expiring ones are in their bucket.
  size_t expiring = 0;
  st.allowances.for_each(
      [&](const allowance_key& key, const allowance_entry& x) {
        ok = ok && x.amount > 0;
        if (x.expires_at) {
          ++expiring;
          auto set = st.expiries.find(bucket_of(*x.expires_at));
          ok = ok && set != nullptr && set->contains(key);
        }
      });
  size_t linked = 0;
  st.expiries.for_each([&](uint64_t, const ledger_state::allowance_set& set) {
    ok = ok && !set.empty();
    linked += set.size();
  });
  return ok && linked == expiring;
}

} // namespace icto
