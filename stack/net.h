// SPDX-License-Identifier: Apache-2.0
// Protocol headers, sockets and the receive entry points of the IPv4/UDP stack.
#pragma once
#include <netinet/udp.h>
#include <sys/socket.h>

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
                   EPOLLWRBAND = 0x200, EPOLLEXCLUSIVE = 1u << 28, EPOLLONESHOT = 1u << 30,
                   EPOLLET = 1u << 31;

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

  // Send side (include/net/sock.h, inet_sock). sk_wmem_alloc starts at 1, as the kernel's
  // refcount does (sk_wmem_alloc_get() hides that 1); skb_set_owner_w adds an skb's truesize,
  // sock_wfree takes it off at TX completion.
  int sk_wmem_alloc = 1;
  int sk_sndbuf = 212992;        // net.core.wmem_default unless SO_SNDBUF set it
  bool sndbuf_locked = false;    // SOCK_SNDBUF_LOCK (set by SO_SNDBUF)
  bool sock_nospace = false;     // SOCK_NOSPACE: a sender found no room (socket->flags)
  int sk_err = 0;                // pending error (sock_error)
  bool send_shutdown = false;    // sk_shutdown & SEND_SHUTDOWN
  bool nonblock = false;         // O_NONBLOCK on the file (sock_sndtimeo gives 0)
  uint32_t sk_priority = 0;      // SO_PRIORITY: skb->priority, pfifo_fast's band
  int sk_tx_queue_mapping = -1;  // sk_tx_queue_get/set: the TX queue cached by netdev_pick_tx
  uint32_t saddr = 0;            // inet_saddr: source address (0: the route's, k.route_saddr)
  uint16_t inet_id = 0;          // IPv4 ID of a connected socket's next datagram
  uint8_t tos = 0;               // IP_TOS
  int uc_ttl = -1;               // IP_TTL (-1: net.ipv4.ip_default_ttl, 64)
  bool no_check_tx = false;      // SO_NO_CHECK: UDP checksum 0
  bool recverr = false;          // IP_RECVERR: qdisc drops return -ENOBUFS to the sender
  // UDP_SEGMENT (udp_sk(sk)->gso_size): each sendmsg's payload leaves as datagrams of this
  // many bytes, cut by the device (USO) from one GSO skb; 0: off
  uint16_t gso_size = 0;
  // The page send data is copied into for a GSO skb. The kernel's sk_page_frag is the
  // sending task's (current->task_frag); here each socket has its own, which differs only in
  // where the fragments of a thread sending on several sockets cross page boundaries.
  page_frag sk_frag;
  std::function<void(sock*)> sk_write_space;  // sock_def_write_space
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

// ---- Send side -------------------------------------------------------------------------
// MSG_DONTWAIT, SOL_SOCKET, SO_SNDBUF, SO_SNDBUFFORCE: <sys/socket.h>'s, the kernel's uapi values
// SOCK_MIN_SNDBUF: 2 * (2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff))), x86_64
constexpr int SOCK_MIN_SNDBUF = 2 * (2048 + static_cast<int>(SKB_DATA_ALIGN(SK_BUFF_BYTES)));
// sock_writeable: room for "significant progress", less than half the send buffer in use
inline bool sock_writeable(const sock* sk) { return sk->sk_wmem_alloc < (sk->sk_sndbuf >> 1); }
inline int sk_wmem_alloc_get(const sock* sk) { return sk->sk_wmem_alloc - 1; }
// sock_setsockopt for SO_SNDBUF / SO_SNDBUFFORCE: min(val, wmem_max) (FORCE: no cap), doubled
// for the kernel's overhead, at least SOCK_MIN_SNDBUF; SOCK_SNDBUF_LOCK; sk_write_space.
int sock_setsockopt(sock* sk, int level, int optname, int val);
// udp_lib_setsockopt: SOL_UDP's UDP_SEGMENT (<netinet/udp.h>), the GSO segment size (sk->gso_size)
int udp_lib_setsockopt(sock* sk, int level, int optname, int val);
// skb_set_owner_w: charge skb->truesize to sk_wmem_alloc; skb->sk_destructor = sock_wfree
void skb_set_owner_w(sk_buff* skb, sock* sk);
// sock_wfree (net/core/sock.c, the SOCK_RCU_FREE path UDP takes): uncharge the truesize,
// then sock_def_write_space_wfree
void sock_wfree(sk_buff* skb);
// sock_def_write_space: wake writers (EPOLLOUT, sync, one exclusive) once sock_writeable
void sock_def_write_space(sock* sk);
// sock_alloc_send_skb -> sock_alloc_send_pskb: an skb of `size` linear bytes charged to sk
// when sk_wmem_alloc_get < sk_sndbuf; else -EAGAIN if noblock, or sleep in sock_wait_for_wmem
// until there is room (or an error / shutdown). *err: 0, -EAGAIN, -EPIPE or sk_err.
sk_buff* sock_alloc_send_skb(sock* sk, unsigned size, bool noblock, int* err);

// The one route and neighbour of the model's host: every destination goes out of
// k.route_dev to the next hop whose MAC is k.route_neigh_ha (a NUD_PERMANENT neighbour: no
// ARP). Set by whoever builds the host (the testbench), after the device exists.

// udp_sendmsg (net/ipv4/udp.c), uncorked: one datagram of len payload bytes to daddr:dport
// (daddr 0: the connected peer, else -EDESTADDRREQ). flags: MSG_DONTWAIT. Returns len or a
// negative errno (-EAGAIN, -EMSGSIZE, -ENOBUFS with IP_RECVERR, -ENETUNREACH without a route).
// Runs in the calling task's process context; may sleep for send buffer space.
int udp_sendmsg(kernel& k, sock* sk, const uint8_t* buf, size_t len, uint32_t daddr, uint16_t dport,
                int flags);
// ip_make_skb (net/ipv4/ip_output.c __ip_append_data + __ip_make_skb) for one UDP datagram:
// an skb with room for the link header, the IPv4 header written, the UDP header's room after
// it and the payload copied in; CHECKSUM_PARTIAL when it fits the MTU and the device
// offloads it (checksum left for udp_send_skb). Over the MTU, the skbs of its later fragments
// are on the first's frag_list (len and data_len count them). nullptr and *err on failure
// (-EMSGSIZE over 65,507 payload bytes).
sk_buff* ip_make_skb(kernel& k, sock* sk, uint32_t saddr, uint32_t daddr, const uint8_t* buf,
                     size_t len, int flags, int* err);
// ip_send_skb -> ip_local_out -> ip_output -> ip_finish_output (-> ip_do_fragment) ->
// ip_finish_output2 -> neigh_output -> dev_queue_xmit. Returns 0, or -ENOBUFS when the qdisc
// dropped it (or, fragmented, any of its fragments).
int ip_send_skb(kernel& k, sk_buff* skb);

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
// msg_name of a recvfrom: the sender of a UDP datagram (struct sockaddr_in, host byte order),
// as udp_recvmsg fills it from the datagram's IPv4 and UDP headers
struct msg_name {
  uint32_t addr = 0;
  uint16_t port = 0;
};
int udp_recvmsg(kernel& k, sock* sk, uint8_t* buf, size_t size, std::vector<read_seg>& segs,
                msg_name* from = nullptr);
int tcp_recvmsg(kernel& k, sock* sk, uint8_t* buf, size_t size, std::vector<read_seg>& segs);
// from: set for a UDP datagram (recvfrom); TCP leaves it untouched (a connected stream)
inline int sock_recvmsg(kernel& k, sock* sk, uint8_t* buf, size_t size, std::vector<read_seg>& segs,
                        msg_name* from = nullptr) {
  return sk->tcp ? tcp_recvmsg(k, sk, buf, size, segs) : udp_recvmsg(k, sk, buf, size, segs, from);
}
// Segments still held out of order, counted when a run ends (the sender would retransmit).
void tcp_flush_ofo_at_end(kernel& k, sock* sk);

}  // namespace igbsim
