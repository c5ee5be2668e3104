#include "actors/invoice/invoice_state.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

namespace icto {

namespace {

std::string who(const storage_caller& c) {
  return "caller " + c.id.to_text();
}

std::string name(payment_status s) {
  return std::string{to_string(s)};
}

std::string payment(uint64_t id) {
  return "payment " + std::to_string(id);
}

bool reads_all(const invoice_state& st, const storage_caller& c) {
  return c.controller || is_writer(st, c);
}

/// The record as the writer sent it: the storage's stamps left out.
bool same_content(payment_record x, payment_record y) {
  x.created_at = x.updated_at = 0;
  y.created_at = y.updated_at = 0;
  return x == y;
}

/// The stats bucket counters of a status: its count and, but for failed,
/// its amount.
void add_to(invoice_stats& s, const payment_record& r, int sign) {
  auto bump = [sign](uint64_t& x, uint64_t by) {
    x = sign > 0 ? x + by : x - by;
  };
  switch (r.status) {
  case payment_status::pending:
    bump(s.pending, 1);
    bump(s.amount_pending, r.amount);
    break;
  case payment_status::completed:
    bump(s.completed, 1);
    bump(s.amount_completed, r.amount);
    break;
  case payment_status::failed: bump(s.failed, 1); break;
  case payment_status::refunded:
    bump(s.refunded, 1);
    bump(s.amount_refunded, r.amount);
    break;
  }
}

} // namespace

bool operator==(const invoice_state& x, const invoice_state& y) {
  return x.last_time == y.last_time && x.stats == y.stats
         && x.backend == y.backend && x.writers == y.writers
         && x.by_user == y.by_user && x.records == y.records;
}

result<invoice_state> make_invoice_state(const invoice_config& cfg) {
  invoice_state st;
  for (const auto& w : cfg.writers) {
    if (w.is_anonymous())
      return make_error(invoice_errc::invalid_argument,
                        "invoice_config.writers: the anonymous principal "
                        "cannot be a writer");
    st.writers = st.writers.insert(w, {});
  }
  if (cfg.backend && cfg.backend->is_anonymous())
    return make_error(invoice_errc::invalid_argument,
                      "invoice_config.backend: the anonymous principal");
  st.backend = cfg.backend;
  return st;
}

// -- updates ------------------------------------------------------------------

bool is_writer(const invoice_state& st, const storage_caller& c) {
  return !c.via_ingress && st.writers.contains(c.id);
}

bool allowed_transition(payment_status from, payment_status to) {
  switch (from) {
  case payment_status::pending: return to != payment_status::pending;
  case payment_status::completed: return to == payment_status::refunded;
  case payment_status::failed:
  case payment_status::refunded: return false;
  }
  return false;
}

result<invoice_change> decide_record(const invoice_state& st,
                                     const storage_caller& c,
                                     const payment_record& rec, timestamp now) {
  if (!is_writer(st, c))
    return make_error(invoice_errc::unauthorized,
                      who(c) + (c.via_ingress ? " (through an ingress)" : "")
                          + " is not a whitelisted invoice writer");
  if (const auto* old = st.records.find(rec.id)) {
    if (same_content(*old, rec))
      return invoice_change{*old, false};
    return make_error(
        invoice_errc::duplicate,
        payment(rec.id) + " exists already with other content (user "
            + old->user.to_text() + ", status " + name(old->status) + ")");
  }
  if (rec.user.is_anonymous())
    return make_error(invoice_errc::invalid_argument,
                      payment(rec.id) + ": user is the anonymous principal");
  if (rec.status != payment_status::pending
      && rec.status != payment_status::failed)
    return make_error(invoice_errc::invalid_argument,
                      payment(rec.id)
                          + ": a new record is pending or failed, "
                            "not "
                          + name(rec.status));
  if (rec.status == payment_status::pending && rec.amount > 0
      && !rec.block_index)
    return make_error(invoice_errc::invalid_argument,
                      payment(rec.id) + ": a pending payment of "
                          + std::to_string(rec.amount)
                          + " needs the block_index of its transfer");
  if (rec.refund_block_index)
    return make_error(invoice_errc::invalid_argument,
                      payment(rec.id) + ": refund_block_index on a new record");
  if (rec.request_id.size() > max_invoice_request_id)
    return make_error(invoice_errc::invalid_argument,
                      payment(rec.id) + ": request_id longer than "
                          + std::to_string(max_invoice_request_id) + " bytes");
  const auto& s = st.stats;
  const tokens room = std::numeric_limits<tokens>::max() - s.amount_pending
                      - s.amount_completed - s.amount_refunded;
  if (rec.amount > room)
    return make_error(invoice_errc::invalid_argument,
                      payment(rec.id) + ": amount overflows the totals");
  invoice_change out;
  out.record = rec;
  out.record.created_at = out.record.updated_at = std::max(now, st.last_time);
  return out;
}

result<invoice_change>
decide_update(const invoice_state& st, const storage_caller& c,
              const payment_status_update& up, timestamp now) {
  if (!is_writer(st, c))
    return make_error(invoice_errc::unauthorized,
                      who(c) + (c.via_ingress ? " (through an ingress)" : "")
                          + " is not a whitelisted invoice writer");
  const auto* old = st.records.find(up.id);
  if (old == nullptr)
    return make_error(invoice_errc::not_found, "no " + payment(up.id));
  if (old->status == up.status)
    return invoice_change{*old, false};
  if (!allowed_transition(old->status, up.status))
    return make_error(invoice_errc::invalid_transition,
                      payment(up.id) + ": " + name(old->status) + " -> "
                          + name(up.status) + " is not allowed"
                          + (old->status == payment_status::failed
                                     || old->status == payment_status::refunded
                                 ? " (" + name(old->status) + " is final)"
                                 : ""));
  if (up.status == payment_status::refunded && old->amount > 0
      && !up.refund_block_index)
    return make_error(invoice_errc::invalid_argument,
                      payment(up.id)
                          + ": refunded needs refund_block_index (amount "
                          + std::to_string(old->amount) + ")");
  if (up.status != payment_status::refunded && up.refund_block_index)
    return make_error(invoice_errc::invalid_argument,
                      payment(up.id) + ": refund_block_index with status "
                          + name(up.status));
  invoice_change out;
  out.record = *old;
  out.record.status = up.status;
  out.record.updated_at = std::max(now, st.last_time);
  if (up.reason)
    out.record.reason = up.reason;
  if (up.refund_block_index)
    out.record.refund_block_index = up.refund_block_index;
  return out;
}

result<invoice_writer_change>
decide_whitelist(const invoice_state& st, const storage_caller& c,
                 const invoice_whitelist_add_arg& a) {
  const bool backend = !c.via_ingress && st.backend && *st.backend == c.id;
  if (!c.controller && !backend)
    return make_error(invoice_errc::unauthorized,
                      who(c)
                          + " may not add invoice writers (controllers and "
                            "the backend only)");
  if (a.writer.is_anonymous())
    return make_error(invoice_errc::invalid_argument,
                      "writer: the anonymous principal cannot be a writer");
  return invoice_writer_change{a.writer, true};
}

result<invoice_writer_change>
decide_whitelist(const invoice_state& st, const storage_caller& c,
                 const invoice_whitelist_remove_arg& a) {
  if (!c.controller)
    return make_error(invoice_errc::unauthorized,
                      who(c)
                          + " may not remove invoice writers (controllers "
                            "only)");
  if (!st.writers.contains(a.writer))
    return make_error(invoice_errc::not_found,
                      "writer " + a.writer.to_text() + " is not whitelisted");
  return invoice_writer_change{a.writer, false};
}

void apply(invoice_state& st, const invoice_change& ch) {
  if (!ch.changed)
    return;
  const auto& r = ch.record;
  if (const auto* old = st.records.find(r.id)) {
    add_to(st.stats, *old, -1);
  } else {
    const auto* ids = st.by_user.find(r.user);
    if (ids == nullptr)
      ++st.stats.users;
    st.by_user = st.by_user.insert(
        r.user, push_back(ids != nullptr ? *ids : id_list{}, r.id));
    ++st.stats.records;
  }
  add_to(st.stats, r, +1);
  st.records = st.records.insert(r.id, r);
  st.last_time = std::max(st.last_time, r.updated_at);
}

void apply(invoice_state& st, const invoice_writer_change& ch) {
  st.writers = ch.allowed ? st.writers.insert(ch.writer, {})
                          : st.writers.erase(ch.writer);
}

// -- queries ------------------------------------------------------------------

result<payment_page> user_records(const invoice_state& st,
                                  const storage_caller& c,
                                  const user_payments_arg& a) {
  if (!reads_all(st, c) && (c.id.is_anonymous() || c.id != a.user))
    return make_error(invoice_errc::unauthorized,
                      who(c) + " may not read the payments of "
                          + a.user.to_text());
  payment_page out;
  const auto* ids = st.by_user.find(a.user);
  if (ids == nullptr)
    return out;
  out.total = ids->size();
  const uint64_t limit = effective_limit(a.limit);
  // Newest first: position size-1-offset downwards.
  for (uint64_t k = a.offset; k < out.total && out.records.size() < limit; ++k)
    out.records.push_back(*st.records.find(id_at(*ids, out.total - 1 - k)));
  return out;
}

result<payment_record> get_record(const invoice_state& st,
                                  const storage_caller& c, uint64_t id) {
  const auto* r = st.records.find(id);
  if (r == nullptr)
    return make_error(invoice_errc::not_found, "no " + payment(id));
  if (!reads_all(st, c) && (c.id.is_anonymous() || c.id != r->user))
    return make_error(invoice_errc::unauthorized, who(c) + " may not read "
                                                      + payment(id)
                                                      + " (not its own)");
  return *r;
}

bool check_invariants(const invoice_state& st) {
  if (st.writers.contains(principal::anonymous()))
    return false;
  invoice_stats s;
  s.records = st.records.size();
  s.users = st.by_user.size();
  bool ok = true;
  uint64_t indexed = 0;
  st.records.for_each([&](uint64_t id, const payment_record& r) {
    ok = ok && r.id == id && r.updated_at >= r.created_at
         && r.updated_at <= st.last_time;
    add_to(s, r, +1);
  });
  st.by_user.for_each([&](const principal& user, const id_list& ids) {
    ok = ok && !ids.empty();
    indexed += ids.size();
    for (uint64_t pos = 0; ok && pos < ids.size(); ++pos) {
      const auto* id = ids.find(pos);
      const auto* r = id != nullptr ? st.records.find(*id) : nullptr;
      ok = r != nullptr && r->user == user;
    }
  });
  return ok && indexed == st.records.size() && s == st.stats;
}

} // namespace icto
