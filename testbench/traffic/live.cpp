// SPDX-License-Identifier: Apache-2.0
#include "live.h"

#include <future>
#include <memory>

#include "params.h"

namespace igbsim {

using boost::asio::ip::udp;

live_listener::live_listener(const std::string& addr, uint16_t port) : sock_(io_), buf_(65536) {
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address_v4(addr, ec);
  if (ec || (a.to_uint() >> 24) != 127)
    throw input_error("traffic.live_addr: " + addr + ": must be a loopback address (127.0.0.0/8)");
  sock_.open(udp::v4(), ec);
  if (!ec) sock_.bind(udp::endpoint(a, port), ec);
  if (ec)
    throw input_error("traffic.live_port: cannot listen on " + addr + ":" + std::to_string(port) +
                      ": " + ec.message());
}

live_listener::~live_listener() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void live_listener::start() {
  t0_ = std::chrono::steady_clock::now();
  receive();
  thread_ = std::thread([this] { io_.run(); });
}

void live_listener::receive() {
  sock_.async_receive_from(boost::asio::buffer(buf_), from_,
                           [this](boost::system::error_code ec, size_t n) {
    if (ec) return;
    live_datagram d;
    d.t_ns = elapsed_ns();
    d.src_addr = from_.address().to_v4().to_uint();
    d.src_port = from_.port();
    d.payload.assign(buf_.begin(), buf_.begin() + static_cast<long>(n));
    {
      std::lock_guard<std::mutex> g(mu_);
      q_.push_back(std::move(d));
    }
    last_ns_ = elapsed_ns();
    ++received_;
    receive();
  });
}

void live_listener::send_to(uint32_t addr, uint16_t port, std::vector<uint8_t> payload) {
  // On the io_context's thread, where the receives run: the socket is not used by two threads
  boost::asio::post(io_, [this, addr, port, p = std::move(payload)] {
    boost::system::error_code ec;
    sock_.send_to(boost::asio::buffer(p), udp::endpoint(boost::asio::ip::address_v4(addr), port), 0,
                  ec);
    ++(ec ? send_errors_ : sent_back_);
  });
}

void live_listener::flush() {
  if (!thread_.joinable()) return;
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> f = done->get_future();
  boost::asio::post(io_, [done] { done->set_value(); });  // after the sends posted before it
  f.wait_for(std::chrono::seconds(5));
}

bool live_listener::pop(live_datagram& d) {
  std::lock_guard<std::mutex> g(mu_);
  if (q_.empty()) return false;
  d = std::move(q_.front());
  q_.pop_front();
  return true;
}

double live_listener::elapsed_ns() const {
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0_).count();
}

double live_listener::idle_ns() const { return elapsed_ns() - last_ns_; }

}  // namespace igbsim
