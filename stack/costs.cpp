// SPDX-License-Identifier: Apache-2.0
#include "costs.h"

namespace igbsim {

const std::map<std::string, double cost_table::*>& cost_table::fields() {
  static const std::map<std::string, double cost_table::*> f = {
      {"irq_entry_ns", &cost_table::irq_entry_ns},
      {"igb_msix_ring_ns", &cost_table::igb_msix_ring_ns},
      {"irq_exit_ns", &cost_table::irq_exit_ns},
      {"softirq_entry_ns", &cost_table::softirq_entry_ns},
      {"napi_poll_ns", &cost_table::napi_poll_ns},
      {"napi_schedule_ns", &cost_table::napi_schedule_ns},
      {"desc_ns", &cost_table::desc_ns},
      {"build_skb_ns", &cost_table::build_skb_ns},
      {"refill_ns", &cost_table::refill_ns},
      {"page_alloc_ns", &cost_table::page_alloc_ns},
      {"mmio_write_ns", &cost_table::mmio_write_ns},
      {"gro_ns", &cost_table::gro_ns},
      {"netif_rx_ns", &cost_table::netif_rx_ns},
      {"netif_receive_skb_ns", &cost_table::netif_receive_skb_ns},
      {"ip_rcv_ns", &cost_table::ip_rcv_ns},
      {"udp_rcv_ns", &cost_table::udp_rcv_ns},
      {"tcp_rcv_ns", &cost_table::tcp_rcv_ns},
      {"vfs_poll_ns", &cost_table::vfs_poll_ns},
      {"poll_entry_ns", &cost_table::poll_entry_ns},
      {"wq_remove_ns", &cost_table::wq_remove_ns},
      {"select_per_fd_ns", &cost_table::select_per_fd_ns},
      {"sk_data_ready_ns", &cost_table::sk_data_ready_ns},
      {"wq_entry_ns", &cost_table::wq_entry_ns},
      {"ep_poll_callback_ns", &cost_table::ep_poll_callback_ns},
      {"try_to_wake_up_ns", &cost_table::try_to_wake_up_ns},
      {"context_switch_ns", &cost_table::context_switch_ns},
      {"syscall_ns", &cost_table::syscall_ns},
      {"epoll_wait_ns", &cost_table::epoll_wait_ns},
      {"ep_send_event_ns", &cost_table::ep_send_event_ns},
      {"recvmsg_ns", &cost_table::recvmsg_ns},
      {"copy_ns_per_byte", &cost_table::copy_ns_per_byte},
      {"skb_free_ns", &cost_table::skb_free_ns},
      {"sendmsg_ns", &cost_table::sendmsg_ns},
      {"alloc_skb_ns", &cost_table::alloc_skb_ns},
      {"ip_output_ns", &cost_table::ip_output_ns},
      {"csum_ns_per_byte", &cost_table::csum_ns_per_byte},
      {"neigh_output_ns", &cost_table::neigh_output_ns},
      {"dev_queue_xmit_ns", &cost_table::dev_queue_xmit_ns},
      {"qdisc_enqueue_ns", &cost_table::qdisc_enqueue_ns},
      {"qdisc_dequeue_ns", &cost_table::qdisc_dequeue_ns},
      {"qdisc_restart_ns", &cost_table::qdisc_restart_ns},
      {"net_tx_action_ns", &cost_table::net_tx_action_ns},
      {"sock_wfree_ns", &cost_table::sock_wfree_ns},
  };
  return f;
}

}  // namespace igbsim
