#include "actors/common/durable.hpp"

#include <caf/actor_cast.hpp>
#include <caf/make_message.hpp>
#include <caf/message_view.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>

namespace icto {

namespace {

/// Forwards the writer's notices to the actor as messages, so the journal
/// is only touched on the actor's thread. Holds the actor weakly.
struct forwarding_listener : store::journal_listener {
  explicit forwarding_listener(caf::actor_addr addr)
      : target(std::move(addr)) {}

  void on_durable(uint64_t seq) override {
    if (auto dest = caf::actor_cast<caf::actor>(target))
      caf::anon_send(dest, durable_atom::value, seq);
  }

  void on_checkpoint(uint64_t seq, bool ok,
                     const std::string& message) override {
    if (auto dest = caf::actor_cast<caf::actor>(target))
      caf::anon_send(dest, ckpt_done_atom::value, seq, ok, message);
  }

  caf::actor_addr target;
};

} // namespace

void actor_journal::attach(caf::scheduled_actor* self,
                           const durable_start& start, node_persistence_ptr p,
                           snapshot_fn snapshot) {
  id_ = start.id;
  snapshot_ = std::move(snapshot);
  appended_ = durable_ = start.last_seq;
  last_checkpoint_ = start.checkpoint_seq;
  persistence_ = std::move(p);
  writer_ = persistence_ ? persistence_->writer : nullptr;
  if (!writer_)
    return;
  listener_ = std::make_shared<forwarding_listener>(self->address());
  self->set_default_handler(
      [this](caf::scheduled_actor*,
             caf::message_view& x) -> caf::result<caf::message> {
        auto& xs = x.content();
        if (xs.match_elements<durable_atom, uint64_t>()) {
          on_durable(xs.get_as<uint64_t>(1));
          return caf::message{};
        }
        if (xs.match_elements<ckpt_now_atom>())
          return caf::make_message(checkpoint_now());
        if (xs.match_elements<ckpt_done_atom, uint64_t, bool, std::string>()) {
          on_checkpoint(xs.get_as<uint64_t>(1), xs.get_as<bool>(2),
                        xs.get_as<std::string>(3));
          return caf::message{};
        }
        return caf::sec::unexpected_message;
      });
}

uint64_t actor_journal::append(std::string payload) {
  ++appended_;
  if (writer_)
    writer_->append(id_, appended_, std::move(payload), listener_);
  else
    durable_ = appended_;
  return appended_;
}

void actor_journal::after_durable(std::function<void()> f) {
  if (!pending()) {
    f();
    return;
  }
  waiting_.emplace_back(appended_, std::move(f));
}

uint64_t actor_journal::hold() {
  holds_.insert(++last_hold_);
  return last_hold_;
}

void actor_journal::release(uint64_t id) {
  holds_.erase(id);
  while (!held_.empty()
         && (holds_.empty() || held_.front().first < *holds_.begin())) {
    auto f = std::move(held_.front().second);
    held_.pop_front();
    f();
  }
}

void actor_journal::after_holds(std::function<void()> f) {
  if (holds_.empty() || *holds_.begin() > last_hold_) {
    f();
    return;
  }
  held_.emplace_back(last_hold_, std::move(f));
}

void actor_journal::on_durable(uint64_t seq) {
  if (seq <= durable_)
    return;
  durable_ = seq;
  while (!waiting_.empty() && waiting_.front().first <= durable_) {
    auto f = std::move(waiting_.front().second);
    waiting_.pop_front();
    f();
  }
}

void actor_journal::maybe_checkpoint() {
  if (!enabled() || checkpoint_in_flight_
      || appended_ - last_checkpoint_ < persistence_->checkpoint_every)
    return;
  checkpoint_now();
}

uint64_t actor_journal::checkpoint_now() {
  if (!enabled() || !snapshot_ || checkpoint_in_flight_
      || appended_ == last_checkpoint_)
    return 0;
  checkpoint_in_flight_ = true;
  writer_->checkpoint(id_, appended_, snapshot_(), listener_);
  return appended_;
}

void actor_journal::on_checkpoint(uint64_t seq, bool ok,
                                  const std::string& message) {
  checkpoint_in_flight_ = false;
  if (ok)
    last_checkpoint_ = seq;
  // A failed serialization leaves the journal as it was: the next
  // checkpoint tries again; recovery replays a longer journal.
  static_cast<void>(message);
}

} // namespace icto
