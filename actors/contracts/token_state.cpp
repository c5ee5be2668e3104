#include "actors/contracts/token_state.hpp"

#include <unordered_map>
#include <utility>

namespace icto {

namespace {

error invalid(std::string text) {
  return make_error(contract_errc::invalid_argument, std::move(text));
}

bool is_symbol_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
         || (c >= '0' && c <= '9');
}

/// Adds `delta` to (or, if !add, takes it from) a principal's total.
void adjust_holder(token_state& st, const principal& p, tokens delta,
                   bool add) {
  if (delta == 0)
    return;
  const auto* cur = st.holders.find(p);
  tokens now = cur ? *cur : 0;
  now = add ? now + delta : now - delta;
  st.holders = now == 0 ? st.holders.erase(p) : st.holders.insert(p, now);
}

void count_tx(token_state& st, const principal& p) {
  if (!st.tx_counts)
    return;
  const auto* cur = st.tx_counts->find(p);
  *st.tx_counts = st.tx_counts->insert(p, (cur ? *cur : 0) + 1);
}

holder_balance balance_entry(const token_state& st, const principal& p) {
  return holder_balance{p, holder_balance_of(st, p)};
}

bool at_least(const semver& v, const semver& min) {
  return !(v < min);
}

const semver v1_0_0{1, 0, 0};
const semver v1_1_0{1, 1, 0};
const semver v1_2_0{1, 2, 0};

version_table<token_state> make_token_versions() {
  version_table<token_state> t;
  t.steps.push_back(
      {v1_0_0, "ICRC-1 token with owner mint and burn", "initial", {}, {}});
  t.steps.push_back(
      {v1_1_0, "supply cap of 2^53-1",
       "cap_supply: sets max_supply = 2^53-1; fails if the supply is above it",
       [](token_state& st) -> result<unit> {
         if (st.max_supply)
           return make_error(contract_errc::invalid_state,
                             "the token already has a max_supply");
         const auto supply = total_supply(st.ledger);
         if (supply > token_max_supply)
           return make_error(contract_errc::invalid_state,
                             "total supply " + std::to_string(supply)
                                 + " exceeds the cap "
                                 + std::to_string(token_max_supply));
         st.max_supply = token_max_supply;
         return unit{};
       },
       [](token_state& st) -> result<unit> {
         st.max_supply.reset();
         return unit{};
       }});
  t.steps.push_back(
      {v1_2_0, "per-holder transaction counter",
       "count_transactions: adds tx_counts, counting from the migration on",
       [](token_state& st) -> result<unit> {
         st.tx_counts = token_state::counter_map{};
         return unit{};
       },
       [](token_state& st) -> result<unit> {
         st.tx_counts.reset();
         return unit{};
       }});
  t.check = check_token_state;
  return t;
}

} // namespace

result<unit> validate_token_init(const token_init& init) {
  if (init.name.empty() || init.name.size() > token_max_name)
    return invalid("name: must be 1 to " + std::to_string(token_max_name)
                   + " bytes, got " + std::to_string(init.name.size()));
  if (init.symbol.empty() || init.symbol.size() > token_max_symbol)
    return invalid("symbol: must be 1 to " + std::to_string(token_max_symbol)
                   + " characters, got " + std::to_string(init.symbol.size()));
  for (char c : init.symbol)
    if (!is_symbol_char(c))
      return invalid("symbol: only letters and digits, got '" + init.symbol
                     + "'");
  if (init.decimals > token_max_decimals)
    return invalid("decimals: at most " + std::to_string(token_max_decimals)
                   + ", got " + std::to_string(init.decimals));
  if (init.initial_supply > token_max_supply)
    return invalid("initial_supply: at most 2^53-1 ("
                   + std::to_string(token_max_supply) + "), got "
                   + std::to_string(init.initial_supply));
  if (init.logo && (init.logo->empty() || init.logo->size() > token_max_logo))
    return invalid("logo: must be 1 byte to 256 KiB, got "
                   + std::to_string(init.logo->size()) + " bytes");
  return unit{};
}

result<token_state>
make_token_state(const token_init& init, const principal& contract_id,
                 const principal& owner, const semver& version, timestamp now) {
  if (auto ok = validate_token_init(init); !ok)
    return ok.err();
  if (!token_versions().knows(version))
    return make_error(factory_errc::unknown_version,
                      "no token code version " + to_text(version));
  ledger_config cfg;
  cfg.name = init.name;
  cfg.symbol = init.symbol;
  cfg.decimals = init.decimals;
  cfg.fee = init.fee;
  cfg.minting_account = account{contract_id, std::nullopt};
  if (init.initial_supply > 0)
    cfg.initial_balances.push_back(
        {account{owner, std::nullopt}, init.initial_supply});
  auto ledger = make_ledger_state(std::move(cfg), now);
  if (!ledger)
    return ledger.err();
  token_state st;
  st.ledger = std::move(*ledger);
  st.owner = owner;
  st.logo = init.logo;
  if (init.initial_supply > 0)
    st.holders = st.holders.insert(owner, init.initial_supply);
  semver at = v1_0_0;
  if (auto r = migrate(token_versions(), st, at, version); !r)
    return r.err();
  return st;
}

const version_table<token_state>& token_versions() {
  static const auto table = make_token_versions();
  return table;
}

result<unit> check_token_state(const token_state& st, const semver& version) {
  if (!check_invariants(st.ledger))
    return make_error(contract_errc::invalid_state,
                      "the ledger's invariants do not hold");
  std::unordered_map<principal, tokens> sums;
  st.ledger.balances.for_each([&](const account_key& k, tokens b) {
    sums[k.owner] += b;
  });
  if (sums.size() != st.holders.size())
    return make_error(
        contract_errc::invalid_state,
        "the holder index has " + std::to_string(st.holders.size())
            + " principals, the balances " + std::to_string(sums.size()));
  for (auto& [p, sum] : sums) {
    const auto* h = st.holders.find(p);
    if (!h || *h != sum)
      return make_error(contract_errc::invalid_state,
                        "the holder index is wrong for " + p.to_text());
  }
  const bool capped = at_least(version, v1_1_0);
  if (st.max_supply.has_value() != capped)
    return make_error(contract_errc::invalid_state,
                      capped ? "max_supply missing at " + to_text(version)
                             : "max_supply present at " + to_text(version));
  if (st.max_supply && total_supply(st.ledger) > *st.max_supply)
    return make_error(contract_errc::invalid_state,
                      "total supply exceeds max_supply");
  const bool counted = at_least(version, v1_2_0);
  if (st.tx_counts.has_value() != counted)
    return make_error(contract_errc::invalid_state,
                      counted ? "tx_counts missing at " + to_text(version)
                              : "tx_counts present at " + to_text(version));
  return unit{};
}

// -- updates ------------------------------------------------------------------

result<ledger_event> decide_transfer(const token_state& st,
                                     const principal& caller,
                                     const transfer_arg& arg, timestamp now) {
  return decide(st.ledger, caller, arg, now);
}

result<ledger_event> decide_mint(const token_state& st, const principal& caller,
                                 const token_mint_arg& arg, timestamp now) {
  if (caller != st.owner)
    return make_error(contract_errc::unauthorized,
                      "mint: only the owner " + st.owner.to_text()
                          + " may mint, not " + caller.to_text());
  if (arg.amount == 0)
    return invalid("amount: must be above 0");
  const auto& minter = st.ledger.config.minting_account;
  if (arg.to.owner == minter.owner)
    return invalid("to: the token contract's own account cannot hold tokens");
  if (st.max_supply) {
    const auto supply = total_supply(st.ledger);
    if (arg.amount > *st.max_supply - supply)
      return make_error(contract_errc::invalid_state,
                        "amount: the supply would exceed max_supply "
                            + std::to_string(*st.max_supply) + " (supply "
                            + std::to_string(supply) + ")");
  }
  transfer_arg t;
  t.from_subaccount = minter.subaccount;
  t.to = arg.to;
  t.amount = arg.amount;
  t.memo = arg.memo;
  return decide(st.ledger, minter.owner, t, now);
}

result<ledger_event> decide_burn(const token_state& st, const principal& caller,
                                 const token_burn_arg& arg, timestamp now) {
  transfer_arg t;
  t.from_subaccount = arg.from_subaccount;
  t.to = st.ledger.config.minting_account;
  t.amount = arg.amount;
  t.memo = arg.memo;
  return decide(st.ledger, caller, t, now);
}

token_change apply_token(token_state& st, const ledger_event& ev) {
  apply(st.ledger, ev);
  token_change out;
  out.op = ev.op;
  out.block = ev.block;
  switch (ev.op) {
  case ledger_op::mint:
    adjust_holder(st, ev.to.owner, ev.amount, true);
    count_tx(st, ev.to.owner);
    out.to = balance_entry(st, ev.to.owner);
    break;
  case ledger_op::burn:
    adjust_holder(st, ev.from.owner, ev.amount, false);
    count_tx(st, ev.from.owner);
    out.from = balance_entry(st, ev.from.owner);
    break;
  case ledger_op::transfer:
  case ledger_op::transfer_from:
    adjust_holder(st, ev.from.owner, ev.amount + ev.fee, false);
    adjust_holder(st, ev.to.owner, ev.amount, true);
    count_tx(st, ev.from.owner);
    if (ev.to.owner != ev.from.owner)
      count_tx(st, ev.to.owner);
    out.from = balance_entry(st, ev.from.owner);
    out.to = balance_entry(st, ev.to.owner);
    break;
  case ledger_op::approve:
    adjust_holder(st, ev.from.owner, ev.fee, false);
    count_tx(st, ev.from.owner);
    out.from = balance_entry(st, ev.from.owner);
    break;
  }
  return out;
}

// -- queries ------------------------------------------------------------------

tokens holder_balance_of(const token_state& st, const principal& p) {
  const auto* b = st.holders.find(p);
  return b ? *b : 0;
}

uint64_t tx_count_of(const token_state& st, const principal& p) {
  if (!st.tx_counts)
    return 0;
  const auto* n = st.tx_counts->find(p);
  return n ? *n : 0;
}

metadata_entries token_metadata(const token_state& st) {
  auto out = metadata_of(st.ledger.config);
  if (st.logo)
    out.push_back({"icrc1:logo", *st.logo});
  return out;
}

standard_records token_standards() {
  return {{"ICRC-1",
           "https://github.com/dfinity/ICRC-1/tree/main/standards/ICRC-1"}};
}

token_info token_info_of(const token_state& st, bool is_public) {
  token_info out;
  const auto& cfg = st.ledger.config;
  out.name = cfg.name;
  out.symbol = cfg.symbol;
  out.decimals = cfg.decimals;
  out.fee = cfg.fee;
  out.total_supply = total_supply(st.ledger);
  out.minted = st.ledger.minted;
  out.burned = st.ledger.burned;
  out.holders = st.holders.size();
  out.transactions = st.ledger.next_block;
  out.owner = st.owner;
  out.logo = st.logo;
  out.is_public = is_public;
  return out;
}

} // namespace icto
