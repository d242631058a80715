// SPDX-License-Identifier: Apache-2.0
// Protocol headers, sockets and the receive entry points of the IPv4/UDP stack.
#pragma once
#include <cerrno>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <tuple>
#include <vector>

#include "skbuff.h"
#include "wait.h"

namespace igbsim {

class kernel;

constexpr uint16_t ETH_P_IP = 0x0800;
constexpr uint8_t IPPROTO_TCP = 6, IPPROTO_UDP = 17;
constexpr uint32_t ETH_HLEN = 14;
// skb->pkt_type (uapi/linux/if_packet.h)
constexpr uint8_t PACKET_HOST = 0, PACKET_BROADCAST = 1, PACKET_MULTICAST = 2, PACKET_OTHERHOST = 3;

// poll/epoll event bits (uapi/linux/eventpoll.h)
constexpr uint32_t EPOLLIN = 0x001, EPOLLPRI = 0x002, EPOLLOUT = 0x004, EPOLLERR = 0x008,
                   EPOLLHUP = 0x010, EPOLLRDNORM = 0x040, EPOLLRDBAND = 0x080, EPOLLWRNORM = 0x100,
                   EPOLLEXCLUSIVE = 1u << 28, EPOLLONESHOT = 1u << 30, EPOLLET = 1u << 31;

struct iphdr_view {  // reads a big-endian IPv4 header in place
  const uint8_t* p;
  uint8_t version() const { return p[0] >> 4; }
  uint8_t ihl() const { return p[0] & 0xF; }
  uint16_t tot_len() const { return static_cast<uint16_t>(p[2] << 8 | p[3]); }
  uint16_t frag_off() const { return static_cast<uint16_t>(p[6] << 8 | p[7]); }
  uint8_t protocol() const { return p[9]; }
  uint32_t saddr() const { return uint32_t(p[12]) << 24 | p[13] << 16 | p[14] << 8 | p[15]; }
  uint32_t daddr() const { return uint32_t(p[16]) << 24 | p[17] << 16 | p[18] << 8 | p[19]; }
};
constexpr uint16_t IP_MF = 0x2000, IP_OFFSET = 0x1FFF;

// Internet checksum over a byte range (RFC 1071), folded, not complemented.
uint32_t csum_partial(const uint8_t* p, size_t len, uint32_t sum);
uint16_t csum_fold(uint32_t sum);
// ip_fast_csum: 0 when the header checksum is right.
uint16_t ip_fast_csum(const uint8_t* iph, unsigned ihl);

struct file;
struct poll_table;

// struct sock, the part the receive path uses.
struct sock {
  kernel* k = nullptr;
  int index = 0;           // which probe signal shows its queue length
  uint32_t rcv_saddr = 0;  // bound local address (0 = any)
  uint16_t num = 0;        // bound local port
  uint32_t daddr = 0;      // connected peer (0 = unconnected)
  uint16_t dport = 0;
  std::deque<sk_buff*> sk_receive_queue;
  int rmem_alloc = 0;  // sk_rmem_alloc: truesize charged, not yet released
  // UDP (struct udp_sock): the reader takes datagrams from reader_queue, refilled by splicing
  // sk_receive_queue into it; what it takes is released from rmem_alloc in batches
  // (udp_rmem_release): forward_deficit holds what was taken and not yet released.
  std::deque<sk_buff*> reader_queue;
  int forward_deficit = 0;
  // Datagrams queued for the reader, in either queue (UDP), or in sk_receive_queue (TCP)
  size_t rx_queued() const { return sk_receive_queue.size() + reader_queue.size(); }
  int sk_rcvbuf = 212992;
  uint32_t sk_rcvlowat = 1;
  uint64_t sk_drops = 0;
  // TCP (an established tcp_sock): next expected sequence, out-of-order segments by sequence,
  // payload bytes queued for the reader, segments since the last ACK we sent
  bool tcp = false;
  uint32_t rcv_nxt = 0;
  std::map<uint32_t, sk_buff*> out_of_order_queue;
  uint32_t rcv_queued = 0;
  int segs_unacked = 0;
  wait_queue_head sk_wq;
  std::function<void(sock*)> sk_data_ready;  // sock_def_readable
};

struct file {
  sock* sk = nullptr;
  // f_op->poll: returns the ready mask and, given a poll_table, registers on the wait queue.
  uint32_t poll(kernel& k, poll_table* pt);
};

// poll_table: the callback vfs_poll uses to add the caller's wait entry (poll_wait).
struct poll_table {
  std::function<void(file*, wait_queue_head*, poll_table*)> qproc;
  uint32_t key = ~0u;
};

void sock_def_readable(sock* sk);
void sock_init_data(kernel& k, sock* sk);

// Receive path entry points
int ip_rcv(kernel& k, sk_buff* skb);
int udp_rcv(kernel& k, sk_buff* skb);
int tcp_v4_rcv(kernel& k, sk_buff* skb);

// TCP established hash (inet_ehash): connections by 4-tuple.
struct tcp_ehash {
  std::map<std::tuple<uint32_t, uint16_t, uint32_t, uint16_t>, sock*> by_tuple;
  void insert(sock* sk) { by_tuple[{sk->daddr, sk->dport, sk->rcv_saddr, sk->num}] = sk; }
  sock* lookup(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport) const {
    auto it = by_tuple.find({saddr, sport, daddr, dport});
    return it == by_tuple.end() ? nullptr : it->second;
  }
};

// UDP socket table (udp_table): bound sockets by local port.
struct udp_table {
  std::multimap<uint16_t, sock*> by_port;
  void bind(sock* sk) { by_port.emplace(sk->num, sk); }
  sock* lookup(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport) const;
};

// The application side: recvmsg with MSG_DONTWAIT. Returns the bytes copied into buf, or
// -EAGAIN; `segs` lists the wire frames whose payload was read (frame id, offset, length).
// UDP returns one datagram (truncated to size); TCP copies whole queued segments, in order,
// while they fit.
struct read_seg {
  uint64_t frame;
  size_t off, len;
};
int udp_recvmsg(kernel& k, sock* sk, uint8_t* buf, size_t size, std::vector<read_seg>& segs);
int tcp_recvmsg(kernel& k, sock* sk, uint8_t* buf, size_t size, std::vector<read_seg>& segs);
inline int sock_recvmsg(kernel& k, sock* sk, uint8_t* buf, size_t size,
                        std::vector<read_seg>& segs) {
  return sk->tcp ? tcp_recvmsg(k, sk, buf, size, segs) : udp_recvmsg(k, sk, buf, size, segs);
}
// Segments still held out of order, counted when a run ends (the sender would retransmit).
void tcp_flush_ofo_at_end(kernel& k, sock* sk);

}  // namespace igbsim
