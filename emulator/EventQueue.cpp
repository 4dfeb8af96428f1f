#include "EventQueue.h"

#include <algorithm>

namespace cmsim {

void EventQueue::insert(TimedEvent& ev) {
    auto pos = std::upper_bound(queue_.begin(), queue_.end(), &ev,
                                [](const TimedEvent* a, const TimedEvent* b) {
                                    return a->due_ != b->due_ ? a->due_ < b->due_
                                                              : a->sequence_ < b->sequence_;
                                });
    queue_.insert(pos, &ev);
}

void EventQueue::schedule(TimedEvent& ev, Cycles due) {
    if (ev.scheduled_) queue_.erase(std::find(queue_.begin(), queue_.end(), &ev));
    ev.due_ = due;
    ev.sequence_ = nextSequence_++;
    ev.scheduled_ = true;
    insert(ev);
    if (headChanged_) headChanged_();
}

void EventQueue::deschedule(TimedEvent& ev) {
    if (!ev.scheduled_) return;
    queue_.erase(std::find(queue_.begin(), queue_.end(), &ev));
    ev.scheduled_ = false;
    if (headChanged_) headChanged_();
}

unsigned EventQueue::runDue(Cycles now) {
    unsigned ran = 0;
    while (!queue_.empty() && queue_.front()->due_ <= now) {
        TimedEvent* ev = queue_.front();
        queue_.erase(queue_.begin());
        ev->scheduled_ = false;
        ev->callback_(now - ev->due_);
        ++ran;
    }
    if (ran != 0 && headChanged_) headChanged_();
    return ran;
}

void EventQueue::clear() {
    for (auto* ev : queue_) ev->scheduled_ = false;
    queue_.clear();
    if (headChanged_) headChanged_();
}

}  // namespace cmsim
