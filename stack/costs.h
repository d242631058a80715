// SPDX-License-Identifier: Apache-2.0
// The one CPU cost table: simulated nanoseconds per kernel operation. Every default says
// where it comes from; scenarios override them by name (table `cost`).
//
// Basis. docs/reference/igb-linux-rx.md section H gives ranges, marked UNVERIFIED there:
// igb RX per packet 0.1-0.3 us; IP+UDP/TCP to the socket 0.5-1.5 us; wake-up plus context
// switch 2-10 us; MSI-X to ISR entry 1-3 us (interrupt delivery latency lives in
// nic.msix_latency_ns, the entry cost here). Defaults sit at the low end of each range, for
// a current server core without C-state exits. Costs are charged to the running context.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace igbsim {

struct cost_table {
  // Hard interrupt
  double irq_entry_ns = 400;     // vector entry, irq_enter, handler dispatch
  double igb_msix_ring_ns = 60;  // igb_msix_ring body without the EITR write
  double irq_exit_ns = 200;      // irq_exit before softirqs
  // Softirq and NAPI
  double softirq_entry_ns = 100;  // __do_softirq pass
  double napi_poll_ns = 150;      // one igb_poll call: entry, TX-clean check, completion
  double napi_schedule_ns = 40;   // napi_schedule_prep + list add + raise
  double desc_ns = 60;            // igb_clean_rx_irq per descriptor: read, dma_rmb, get buffer
  double build_skb_ns = 80;       // build_skb + process_skb_fields + eth_type_trans
  double refill_ns = 40;          // igb_alloc_rx_buffers per buffer (reuse or map a page)
  double page_alloc_ns = 250;     // a fresh page from the allocator, mapped for DMA
  double mmio_write_ns = 80;      // writel: posted, the CPU does not wait for completion
  double gro_ns = 50;             // napi_gro_receive without a merge
  double netif_rx_ns = 100;       // netif_rx: enqueue_to_backlog with IRQs off (chosen; no source)
  // Protocol stack
  double netif_receive_skb_ns = 120;  // __netif_receive_skb_core, ptype dispatch
  double ip_rcv_ns = 200;             // ip_rcv_core + route + ip_local_deliver
  double udp_rcv_ns = 250;            // lookup + __udp_enqueue_schedule_skb
  double tcp_rcv_ns = 450;            // tcp_v4_rcv + ehash lookup + tcp_rcv_established (IP+TCP in
                                      // the reference's 0.5-1.5 us, with ip_rcv_ns)
  double vfs_poll_ns = 40;           // one f_op->poll (datagram_poll / tcp_poll), no wait-queue add
  double poll_entry_ns = 60;         // __pollwait: poll_table_entry, get_file, add_wait_queue
  double wq_remove_ns = 30;          // poll_freewait / EPOLL_CTL_DEL per entry: remove_wait_queue
  double select_per_fd_ns = 5;       // do_select's bitmap walk per fd (fdget/fdput included)
  double sk_data_ready_ns = 60;      // sock_def_readable up to the wake-up walk
  double wq_entry_ns = 30;           // __wake_up_common per entry visited
  double ep_poll_callback_ns = 120;  // ep_poll_callback incl. ready-list add
  double try_to_wake_up_ns = 400;    // try_to_wake_up: enqueue, select rq, preempt check
  // Process context
  double context_switch_ns = 1500;  // schedule() + switch_to, cache effects included
  double syscall_ns = 100;          // entry + exit
  double epoll_wait_ns = 200;       // ep_poll around the send loop
  double ep_send_event_ns = 80;     // per event: vfs_poll re-poll + copy to user
  double recvmsg_ns = 400;          // udp_recvmsg without the copy
  double copy_ns_per_byte = 0.1;    // copy_to_user, about 10 GB/s
  double skb_free_ns = 60;          // consume_skb + page reference drop
  // Transmit path (process context of the sender unless noted). Chosen, no measured source:
  // the reference (igb-linux-tx.md) gives no per-step figures; these sit beside the receive
  // rows of the same weight (udp_rcv_ns, ip_rcv_ns), for a total UDP send of about 1.5 us of
  // stack without the copy and the driver, the order perf shows for small UDP sends.
  double sendmsg_ns = 300;         // udp_sendmsg: msghdr, route lookup (ip_route_output_flow)
  double alloc_skb_ns = 150;       // sock_alloc_send_skb: alloc_skb_with_frags + skb_set_owner_w
  double ip_output_ns = 200;       // ip_make_skb headers + ip_local_out/ip_output/ip_finish_output
  double csum_ns_per_byte = 0.05;  // software UDP checksum over the payload (no offload)
  double neigh_output_ns = 80;     // ip_finish_output2: neighbour lookup + cached Ethernet header
  double dev_queue_xmit_ns = 150;  // __dev_queue_xmit: pick_tx, qdisc_pkt_len_init, BH off/on
  double qdisc_enqueue_ns = 60;    // pfifo_fast_enqueue (skb_array_produce + stats)
  double qdisc_dequeue_ns = 50;    // pfifo_fast_dequeue per skb
  double qdisc_restart_ns = 80;   // qdisc_restart + sch_direct_xmit around one batch (HARD_TX_LOCK)
  double net_tx_action_ns = 100;  // net_tx_action: output_queue splice, per qdisc run
  double sock_wfree_ns = 40;      // sock_wfree + sock_def_write_space_wfree without a wake-up

  // name -> member, for scenario overrides and `igbsim params`
  static const std::map<std::string, double cost_table::*>& fields();
};

}  // namespace igbsim
