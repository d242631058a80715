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

struct igb_part {
  const char* name;
  igb_mac mac;
  int max_rss_queues;   // igb_get_max_rss_queues (no VFs): IGB_MAX_RX_QUEUES 8, _82575 4
  int msix_vectors;     // the part's MSI-X table size (datasheets: 82576 25, I350 10, I210 5)
  bool ivar_82576;      // igb_assign_vector: the 82576's column-major IVAR, else row-major
  uint32_t pktbuf_kb;   // receive packet buffer igb_reset finds (see igb_part.cpp)
};

// nullptr for a name it does not know ("i350", "82576", "i210").
const igb_part* igb_find_part(const std::string& name);

// What the driver asks for: 0 / -1 mean "as igb decides".
struct igb_wanted {
  const igb_part* part = nullptr;
  int online_cpus = 1;
  igb_irq_mode irq_mode = igb_irq_mode::msix;
  int queues = 0;        // nic.queues; 0 = auto
  int drop_en = -1;      // nic.drop_en; -1 = igb's rule
  int wthresh = -1;      // nic.wthresh; -1 = IGB_RX_WTHRESH
  int pktbuf_kb = 0;     // nic.pktbuf_kb; 0 = the part's
  bool rx_flow_control = false;  // fc.current_mode & e1000_fc_rx_pause (no flow control modelled)
};

// What igb decided, and why, for the summary and report.json.
struct igb_plan {
  igb_irq_mode irq_mode = igb_irq_mode::msix;  // MSI when MSI-X cannot give the vectors
  int rss_queues = 1;        // = num_rx_queues = num_tx_queues
  bool queue_pairs = false;  // IGB_FLAG_QUEUE_PAIRS: a TX and an RX ring share each q_vector
  int num_q_vectors = 1;     // RX (and TX unless paired) vectors; MSI-X adds vector 0 (other)
  bool drop_en = false;
  uint32_t wthresh = 4;
  uint32_t pktbuf_kb = 64;
  std::string why;           // one or two lines for the summary
  // igb_ring_irq_enable: igb_set_itr with one q_vector, igb_update_ring_itr with several
  const char* itr_algorithm() const { return num_q_vectors == 1 ? "igb_set_itr" : "igb_update_ring_itr"; }
  int msix_vectors() const { return irq_mode == igb_irq_mode::msix ? num_q_vectors + 1 : 0; }
};

// igb_sw_init -> igb_init_queue_configuration (+ igb_set_flag_queue_pairs),
// igb_set_interrupt_capability, igb_setup_srrctl's DROP_EN rule, IGB_RX_WTHRESH, igb_reset's
// packet buffer. Throws std::invalid_argument when queues exceed the part's.
igb_plan igb_plan_configuration(const igb_wanted& w);

}  // namespace igbsim
