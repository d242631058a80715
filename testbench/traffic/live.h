// SPDX-License-Identifier: Apache-2.0
// live_listener: real traffic in. A Boost.Asio UDP socket on a loopback address receives
// datagrams from real clients on a thread of its own; each is stamped with its wall-clock
// arrival since the listener started. The traffic source turns each into a frame on the wire at
// that time in simulated time (the run is paced so simulated time never runs ahead of wall
// time), from the client's address and port to the simulated host's UDP port. What the
// simulated host sends back to a client (an echo server's replies) goes out of the same socket
// to the client's address and port (send_to), so the client sees it come from the port it sent to.
#pragma once
#include <boost/asio.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace igbsim {

struct live_datagram {
  double t_ns;        // wall-clock arrival since start()
  uint32_t src_addr;  // client IPv4 address (host order)
  uint16_t src_port;
  std::vector<uint8_t> payload;
};

class live_listener {
 public:
  // addr: a loopback address (127.0.0.0/8); throws on anything else or when the port is taken
  live_listener(const std::string& addr, uint16_t port);
  ~live_listener();
  void start();
  bool pop(live_datagram& d);  // the oldest waiting datagram, if any
  double elapsed_ns() const;   // wall-clock time since start()
  double idle_ns() const;      // since the last datagram (or start)
  uint64_t received() const { return received_; }
  // A datagram to a client (addr, port in host order), sent from the listening socket on the
  // listener's thread; sent_back counts those the socket took, send_errors the others
  void send_to(uint32_t addr, uint16_t port, std::vector<uint8_t> payload);
  // Returns once every datagram handed to send_to before it has been sent (at most 5 s)
  void flush();
  uint64_t sent_back() const { return sent_back_; }
  uint64_t send_errors() const { return send_errors_; }

 private:
  void receive();
  boost::asio::io_context io_;
  boost::asio::ip::udp::socket sock_;
  boost::asio::ip::udp::endpoint from_;
  std::vector<uint8_t> buf_;
  std::thread thread_;
  std::mutex mu_;
  std::deque<live_datagram> q_;
  std::chrono::steady_clock::time_point t0_;
  std::atomic<double> last_ns_{0};
  std::atomic<uint64_t> received_{0}, sent_back_{0}, send_errors_{0};
};

}  // namespace igbsim
