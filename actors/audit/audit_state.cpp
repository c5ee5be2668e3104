#include "actors/audit/audit_state.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace icto {

namespace {

std::string who(const storage_caller& c) {
  return "caller " + c.id.to_text();
}

/// Controllers and writers read every entry.
bool reads_all(const audit_state& st, const storage_caller& c) {
  return c.controller || is_writer(st, c);
}

/// The first id whose recorded_at is >= t (next_id if none): recorded_at
/// never decreases with the id.
uint64_t first_id_at(const audit_state& st, timestamp t) {
  uint64_t lo = 1;
  uint64_t hi = st.next_id;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (st.entries.find(mid)->recorded_at < t)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

bool matches(const audit_entry& e, const audit_filter& f) {
  const auto& ev = e.event;
  return (!f.user || ev.user == *f.user)
         && (!f.action || ev.action == *f.action)
         && (!f.status || ev.status == *f.status)
         && (!f.request_id || ev.request_id == f.request_id);
}

} // namespace

bool operator==(const audit_state& x, const audit_state& y) {
  return x.next_id == y.next_id && x.last_recorded_at == y.last_recorded_at
         && x.head_hash == y.head_hash && x.backend == y.backend
         && x.writers == y.writers && x.by_status == y.by_status
         && x.by_user == y.by_user && x.by_action == y.by_action
         && x.entries == y.entries;
}

// -- construction -------------------------------------------------------------

result<audit_state> make_audit_state(const audit_config& cfg) {
  audit_state st;
  for (const auto& w : cfg.writers) {
    if (w.is_anonymous())
      return make_error(audit_errc::invalid_argument,
                        "audit_config.writers: the anonymous principal cannot "
                        "be a writer");
    st.writers = st.writers.insert(w, {});
  }
  if (cfg.backend && cfg.backend->is_anonymous())
    return make_error(audit_errc::invalid_argument,
                      "audit_config.backend: the anonymous principal");
  st.backend = cfg.backend;
  return st;
}

// -- the hash chain -----------------------------------------------------------

result<chain_verification> verify_chain(const audit_state& st,
                                        const verify_chain_arg& arg) {
  const uint64_t last = st.next_id - 1;
  const uint64_t from = arg.from_id.value_or(1);
  const uint64_t to = arg.to_id.value_or(last);
  chain_verification out;
  if (!arg.from_id && !arg.to_id && last == 0) {
    out.ok = true;
    return out;
  }
  if (from < 1 || from > to || to > last)
    return make_error(audit_errc::invalid_argument,
                      "verifyChain: range " + std::to_string(from) + ".."
                          + std::to_string(to) + " is not within 1.."
                          + std::to_string(last));
  auto broken = [&](uint64_t id, std::string why) {
    out.ok = false;
    out.first_broken_id = id;
    out.reason = "entry " + std::to_string(id) + ": " + std::move(why);
    return out;
  };
  blob expected_prev = audit_genesis_hash();
  timestamp prev_time = 0;
  if (from > 1) {
    const auto* prev = st.entries.find(from - 1);
    if (prev == nullptr)
      return broken(from - 1, "missing");
    expected_prev = prev->hash;
    prev_time = prev->recorded_at;
  }
  for (uint64_t id = from; id <= to; ++id) {
    const auto* e = st.entries.find(id);
    if (e == nullptr)
      return broken(id, "missing");
    if (e->id != id)
      return broken(id, "stored under id " + std::to_string(id)
                            + " but says id " + std::to_string(e->id));
    if (e->prev_hash != expected_prev)
      return broken(id, id == 1 ? "prev_hash is not 32 zero bytes"
                                : "prev_hash is not the hash of entry "
                                      + std::to_string(id - 1));
    if (e->recorded_at < prev_time)
      return broken(id, "recorded_at is before the previous entry's");
    auto h = audit_entry_hash(e->prev_hash, e->id, e->writer, e->recorded_at,
                              e->event);
    if (h != e->hash)
      return broken(id, "hash does not match the entry's content");
    ++out.checked;
    out.head_hash = e->hash;
    expected_prev = e->hash;
    prev_time = e->recorded_at;
  }
  if (to == last && st.head_hash != out.head_hash)
    return broken(to, "the log's head hash is not this entry's hash");
  out.ok = true;
  return out;
}

// -- updates ------------------------------------------------------------------

bool is_writer(const audit_state& st, const storage_caller& c) {
  return !c.via_ingress && st.writers.contains(c.id);
}

result<audit_entry> decide_log(const audit_state& st, const storage_caller& c,
                               const audit_event& ev, timestamp now) {
  if (!is_writer(st, c))
    return make_error(audit_errc::unauthorized,
                      who(c) + (c.via_ingress ? " (through an ingress)" : "")
                          + " is not a whitelisted audit writer");
  if (ev.message.size() > max_audit_message)
    return make_error(audit_errc::invalid_argument,
                      "event.message: " + std::to_string(ev.message.size())
                          + " bytes, at most "
                          + std::to_string(max_audit_message));
  if (ev.request_id
      && (ev.request_id->empty()
          || ev.request_id->size() > max_audit_request_id))
    return make_error(audit_errc::invalid_argument,
                      "event.request_id: must have 1 to "
                          + std::to_string(max_audit_request_id) + " bytes");
  audit_entry e;
  e.id = st.next_id;
  e.writer = c.id;
  e.recorded_at = std::max(now, st.last_recorded_at);
  e.event = ev;
  e.prev_hash = st.next_id == 1 ? audit_genesis_hash() : st.head_hash;
  e.hash = audit_entry_hash(e.prev_hash, e.id, e.writer, e.recorded_at,
                            e.event);
  return e;
}

result<audit_writer_change> decide_whitelist(const audit_state& st,
                                             const storage_caller& c,
                                             const audit_whitelist_add_arg& a) {
  const bool backend = !c.via_ingress && st.backend && *st.backend == c.id;
  if (!c.controller && !backend)
    return make_error(audit_errc::unauthorized,
                      who(c)
                          + " may not add audit writers (controllers and "
                            "the backend only)");
  if (a.writer.is_anonymous())
    return make_error(audit_errc::invalid_argument,
                      "writer: the anonymous principal cannot be a writer");
  return audit_writer_change{a.writer, true};
}

result<audit_writer_change>
decide_whitelist(const audit_state& st, const storage_caller& c,
                 const audit_whitelist_remove_arg& a) {
  if (!c.controller)
    return make_error(audit_errc::unauthorized,
                      who(c)
                          + " may not remove audit writers (controllers "
                            "only)");
  if (!st.writers.contains(a.writer))
    return make_error(audit_errc::not_found,
                      "writer " + a.writer.to_text() + " is not whitelisted");
  return audit_writer_change{a.writer, false};
}

void apply(audit_state& st, const audit_entry& e) {
  const auto add = [&](const id_list* l) {
    return push_back(l != nullptr ? *l : id_list{}, e.id);
  };
  st.entries = st.entries.insert(e.id, e);
  st.by_user = st.by_user.insert(e.event.user,
                                 add(st.by_user.find(e.event.user)));
  st.by_action = st.by_action.insert(e.event.action,
                                     add(st.by_action.find(e.event.action)));
  const auto* n = st.by_status.find(e.event.status);
  st.by_status = st.by_status.insert(e.event.status,
                                     (n != nullptr ? *n : 0) + 1);
  st.next_id = e.id + 1;
  st.last_recorded_at = e.recorded_at;
  st.head_hash = e.hash;
}

void apply(audit_state& st, const audit_writer_change& ch) {
  st.writers = ch.allowed ? st.writers.insert(ch.writer, {})
                          : st.writers.erase(ch.writer);
}

// -- queries ------------------------------------------------------------------

result<audit_page> query_logs(const audit_state& st, const storage_caller& c,
                              const audit_filter& filter) {
  audit_filter f = filter;
  if (!reads_all(st, c)) {
    if (c.id.is_anonymous())
      return make_error(audit_errc::unauthorized,
                        who(c) + " (anonymous) has no audit entries to read");
    f.user = c.id;
  }
  if (f.from && f.to && *f.from > *f.to)
    return make_error(audit_errc::invalid_argument, "filter: from is after to");
  const uint64_t first = f.from ? first_id_at(st, *f.from) : 1;
  const uint64_t end = f.to ? first_id_at(st, *f.to) : st.next_id;
  const uint64_t limit = effective_limit(f.page.limit);
  audit_page out;
  auto visit = [&](uint64_t id) {
    const auto& e = *st.entries.find(id);
    if (!matches(e, f))
      return;
    if (out.total >= f.page.offset && out.entries.size() < limit)
      out.entries.push_back(e);
    ++out.total;
  };
  if (first >= end)
    return out;
  // The smallest index that the filter names, if any.
  const id_list* list = nullptr;
  static const id_list empty;
  if (f.user) {
    list = st.by_user.find(*f.user);
    if (list == nullptr)
      list = &empty;
  }
  if (f.action) {
    const auto* l = st.by_action.find(*f.action);
    if (l == nullptr)
      l = &empty;
    if (list == nullptr || l->size() < list->size())
      list = l;
  }
  if (list != nullptr) {
    for (uint64_t pos = lower_bound_pos(*list, first); pos < list->size();
         ++pos) {
      const uint64_t id = id_at(*list, pos);
      if (id >= end)
        break;
      visit(id);
    }
  } else {
    for (uint64_t id = first; id < end; ++id)
      visit(id);
  }
  return out;
}

result<audit_entry> get_entry(const audit_state& st, const storage_caller& c,
                              uint64_t id) {
  const auto* e = st.entries.find(id);
  if (e == nullptr)
    return make_error(audit_errc::not_found,
                      "no audit entry " + std::to_string(id));
  if (!reads_all(st, c) && (c.id.is_anonymous() || e->event.user != c.id))
    return make_error(audit_errc::unauthorized,
                      who(c) + " may not read audit entry " + std::to_string(id)
                          + " (not its own)");
  return *e;
}

audit_stats stats_of(const audit_state& st) {
  audit_stats out;
  out.entries = st.next_id - 1;
  out.head_hash = st.head_hash;
  if (out.entries > 0)
    out.last_recorded_at = st.last_recorded_at;
  out.writers = st.writers.size();
  st.by_action.for_each([&](action_type a, const id_list& ids) {
    out.by_action.push_back({a, ids.size()});
  });
  std::sort(out.by_action.begin(), out.by_action.end(),
            [](const auto& x, const auto& y) {
              return x.action < y.action;
            });
  st.by_status.for_each([&](action_status s, uint64_t n) {
    out.by_status.push_back({s, n});
  });
  std::sort(out.by_status.begin(), out.by_status.end(),
            [](const auto& x, const auto& y) {
              return x.status < y.status;
            });
  return out;
}

bool check_invariants(const audit_state& st) {
  if (st.next_id == 0 || st.entries.size() != st.next_id - 1)
    return false;
  if (st.writers.contains(principal::anonymous()))
    return false;
  audit_state::user_index users;
  audit_state::action_index actions;
  audit_state::status_counts statuses;
  blob prev = audit_genesis_hash();
  timestamp prev_time = 0;
  for (uint64_t id = 1; id < st.next_id; ++id) {
    const auto* e = st.entries.find(id);
    if (e == nullptr || e->id != id || e->prev_hash != prev
        || e->recorded_at < prev_time)
      return false;
    auto* u = users.find(e->event.user);
    users = users.insert(e->event.user,
                         push_back(u != nullptr ? *u : id_list{}, id));
    auto* a = actions.find(e->event.action);
    actions = actions.insert(e->event.action,
                             push_back(a != nullptr ? *a : id_list{}, id));
    auto* n = statuses.find(e->event.status);
    statuses = statuses.insert(e->event.status, (n != nullptr ? *n : 0) + 1);
    prev = e->hash;
    prev_time = e->recorded_at;
  }
  if (st.next_id == 1)
    return st.head_hash.empty() && st.last_recorded_at == 0 && users.empty()
           && st.by_user.empty() && st.by_action.empty()
           && st.by_status.empty();
  return st.head_hash == prev && st.last_recorded_at == prev_time
         && users == st.by_user && actions == st.by_action
         && statuses == st.by_status;
}

} // namespace icto
