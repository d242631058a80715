#include "app.h"

#include "kernel.h"

namespace igbsim {

epoll_server::epoll_server(kernel& k, std::vector<sock*> socks)
    : k_(k), socks_(std::move(socks)), buf_(65536) {
  task.comm = "epoll_server";
  task.fn = [this] { run(); };
  files_.resize(socks_.size());
  ep_init(k, &ep_, 0);
}

void epoll_server::deliver(uint64_t id, const uint8_t* data, size_t len) {
  // The epoll_wait return that led to this read counts only if it came after the datagram
  // was queued; otherwise the read found it while draining.
  const int64_t ready = k_.jr.time_ps(id, step::sk_data_ready);
  const int64_t ret = static_cast<int64_t>(last_return_.value() / sc_core::sc_time(1, sc_core::SC_PS).value());
  if (returned_ && ready >= 0 && ret >= ready) k_.jr.record(id, step::epoll_wait_return, last_return_);
  ++k_.st.delivered_packets;
  k_.st.delivered_bytes += len;
  if (k_.on_deliver) k_.on_deliver(id, data, len, k_.this_cpu().now());
  k_.jr.finish(id, "delivered");
}

void epoll_server::run() {
  for (size_t i = 0; i < socks_.size(); ++i) {
    files_[i].sk = socks_[i];
    epoll_event ev;
    ev.events = EPOLLIN;
    ev.data = i;
    epoll_ctl(&ep_, EPOLL_CTL_ADD, static_cast<int>(i) + 3, &files_[i], &ev);
  }
  std::vector<epoll_event> events(64);
  cpu_core& cpu = k_.this_cpu();
  for (;;) {
    const int n = epoll_wait(&ep_, events.data(), static_cast<int>(events.size()), -1);
    cpu.sync();
    last_return_ = cpu.now();
    returned_ = true;
    for (int i = 0; i < n; ++i) {
      sock* sk = socks_[events[i].data];
      for (;;) {
        std::vector<read_seg> segs;
        const int r = sock_recvmsg(k_, sk, buf_.data(), buf_.size(), segs);
        if (r < 0) break;
        for (const auto& s : segs) deliver(s.frame, buf_.data() + s.off, s.len);
        cpu.boundary();
      }
    }
  }
}

}  // namespace igbsim
