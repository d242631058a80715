// SPDX-License-Identifier: Apache-2.0
// The igb parts the model knows and the configuration igb derives for them at probe: how many
// queues and vectors, the interrupt-moderation algorithm, DROP_EN, WTHRESH and the packet
// buffer. The rules are igb's (drivers/net/ethernet/intel/igb/igb_main.c, igb.h); the model
// has no transmit rings yet, but igb counts vectors for its TX queues all the same, and that
// count decides which ITR algorithm runs (igb_ring_irq_enable).
#pragma once
#include <cstdint>
#include <string>

namespace igbsim {

enum class igb_mac { e82576, i350, i210 };
enum class igb_irq_mode { msix, msi, intx };
const char* igb_irq_mode_name(igb_irq_mode m);  // "msix", "msi", "intx"

// hw->fc.requested_mode (ethtool -A ethX rx/tx): what igb_reset copies into fc.current_mode
// before igb_configure programs SRRCTL. igb_set_default_fc takes it from the NVM, usually full.
enum class igb_fc_mode { none, rx_pause, tx_pause, full };
const char* igb_fc_mode_name(igb_fc_mode m);  // "none", "rx_pause", "tx_pause", "full"
inline bool fc_rx_pause(igb_fc_mode m) {      // honours received PAUSE (e1000_fc_rx_pause bit)
  return m == igb_fc_mode::rx_pause || m == igb_fc_mode::full;
}
inline bool fc_tx_pause(igb_fc_mode m) {  // sends PAUSE (e1000_fc_tx_pause bit)
  return m == igb_fc_mode::tx_pause || m == igb_fc_mode::full;
}
// The flow control both ends agree on at link-up (igb_config_fc_after_link_up, IEEE 802.3
// Annex 28B): each end advertises PAUSE and ASM_DIR (none 0/0, rx_pause 1/1 - rx only cannot be
// advertised -, tx_pause 0/1, full 1/1); `local` is the mode this end asked for, `partner` the
// link partner's.
igb_fc_mode igb_resolve_fc(igb_fc_mode local, igb_fc_mode partner);

struct igb_part {
  const char* name;
  igb_mac mac;
  int max_rss_queues;  // igb_get_max_rss_queues (no VFs): IGB_MAX_RX_QUEUES 8, _82575 4
  int msix_vectors;    // the part's MSI-X table size (datasheets: 82576 25, I350 10, I210 5)
  bool ivar_82576;     // igb_assign_vector: the 82576's column-major IVAR, else row-major
  uint32_t pktbuf_kb;  // receive packet buffer (see igb_part.cpp)
};

// nullptr for a name it does not know ("i350", "82576", "i210").
const igb_part* igb_find_part(const std::string& name);

// The machine and the administrator's settings igb works from. The overrides stand for what
// igb does not decide itself (another NVM or reset value, a register poked by hand).
struct igb_setup {
  const igb_part* part = nullptr;
  int online_cpus = 1;
  igb_irq_mode irq_mode = igb_irq_mode::msix;  // what the platform offers
  igb_fc_mode fc = igb_fc_mode::full;
  igb_fc_mode partner_fc = igb_fc_mode::none;  // what the link partner advertises (its PHY)
  int queues = 0;                              // ethtool -L combined N; 0 = igb's default
  int drop_en = -1;                            // -1 = igb's rule, else forced off (0) or on (1)
  int wthresh = -1;                            // -1 = IGB_RX_WTHRESH
  int pktbuf_kb = 0;                           // 0 = the part's
  uint32_t rx_itr_setting =
      3;  // ethtool -C rx-usecs as igb keeps it: 0 off, 1/3 dynamic, else us << 2
};

// What igb decided, with the inputs of each decision, for the summary and report.json.
struct igb_plan {
  igb_irq_mode irq_mode = igb_irq_mode::msix;  // MSI when MSI-X cannot give the vectors
  bool msix_fell_back = false;                 // MSI-X was offered but the part lacks the vectors
  int rss_queues = 1;                          // = num_rx_queues = num_tx_queues
  bool queues_set = false;   // from igb_setup::queues rather than min(cores, maximum)
  bool queue_pairs = false;  // IGB_FLAG_QUEUE_PAIRS: a TX and an RX ring share each q_vector
  int num_q_vectors = 1;     // RX (and TX unless paired) vectors; MSI-X adds vector 0 (other)
  bool drop_en = false;
  bool drop_en_set = false;
  // Flow control: the mode igb asked for (fc.requested_mode; the watermarks and DROP_EN follow
  // it) and the mode resolved with the partner at link-up (CTRL.RFCE/TFCE)
  igb_fc_mode fc_requested = igb_fc_mode::full;
  igb_fc_mode fc_mode = igb_fc_mode::none;
  uint32_t wthresh = 4;
  bool wthresh_set = false;
  uint32_t pktbuf_kb = 64;
  bool pktbuf_set = false;
  bool itr_dynamic = true;  // rx_itr_setting & 3: an adaptive mode, not off or a fixed interval
  // igb_ring_irq_enable: igb_set_itr with one q_vector, igb_update_ring_itr with several; none
  // with ITR off or fixed
  const char* itr_algorithm() const {
    return !itr_dynamic ? "none" : num_q_vectors == 1 ? "igb_set_itr" : "igb_update_ring_itr";
  }
  int msix_vectors() const { return irq_mode == igb_irq_mode::msix ? num_q_vectors + 1 : 0; }
};

// igb_sw_init -> igb_init_queue_configuration (+ igb_set_flag_queue_pairs),
// igb_set_interrupt_capability, igb_setup_srrctl's DROP_EN rule, IGB_RX_WTHRESH, igb_reset's
// packet buffer, the flow control resolved at link-up. Throws std::invalid_argument when the queues
// exceed the part's.
igb_plan igb_plan_configuration(const igb_setup& s);

}  // namespace igbsim
