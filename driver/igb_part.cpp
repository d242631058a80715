#include "igb_part.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace igbsim {

namespace {
// Packet buffers: the 82576's RXPBS resets to 64 KB (igb_reset read E1000_PBA_64K for it before
// it read RXPBS); igb writes the I210's RXPBS to I210_RXPBSIZE_DEFAULT (0xA2: 34 KB). The I350's
// value comes from RXPBS through igb_rxpbs_adjust_82580's table, whose first entry is 36 KB;
// that the I350 resets to that entry is UNVERIFIED (no datasheet text at hand), and the model's
// RXPBS holds kilobytes on every part.
constexpr igb_part kParts[] = {
    {"i350", igb_mac::i350, 8, 10, false, 36},
    {"82576", igb_mac::e82576, 8, 25, true, 64},
    {"i210", igb_mac::i210, 4, 5, false, 34},
};
}  // namespace

const igb_part* igb_find_part(const std::string& name) {
  for (const igb_part& p : kParts)
    if (name == p.name) return &p;
  return nullptr;
}

igb_plan igb_plan_configuration(const igb_wanted& w) {
  const igb_part& part = *w.part;
  igb_plan p;
  p.irq_mode = w.irq_mode;
  std::string queues_why;
  // igb_init_queue_configuration: rss_queues = min(max_rss_queues, num_online_cpus())
  if (w.queues > part.max_rss_queues)
    throw std::invalid_argument(fmt::format("nic.queues: the {} has {} receive queues, asked for {}", part.name,
                                            part.max_rss_queues, w.queues));
  if (w.queues > 0) {
    p.rss_queues = w.queues;
    queues_why = "nic.queues";
  } else {
    p.rss_queues = std::min(part.max_rss_queues, w.online_cpus);
    queues_why = fmt::format("min({} core{}, the {}'s {})", w.online_cpus, w.online_cpus == 1 ? "" : "s", part.name,
                             part.max_rss_queues);
  }
  // igb_set_flag_queue_pairs: pair when rss_queues > max_rss_queues / 2 (the 82575 and I211,
  // which never pair, are not modelled)
  p.queue_pairs = p.rss_queues > part.max_rss_queues / 2;
  // igb_set_interrupt_capability: a vector per RX queue, one per TX queue unless paired, plus
  // one for link and other causes; if MSI-X cannot give that many, MSI with one queue.
  p.num_q_vectors = p.rss_queues + (p.queue_pairs ? 0 : p.rss_queues);
  if (p.irq_mode == igb_irq_mode::msix && p.num_q_vectors + 1 > part.msix_vectors) p.irq_mode = igb_irq_mode::msi;
  std::string vectors_why;
  if (p.irq_mode != igb_irq_mode::msix) {
    const bool fell_back = w.irq_mode == igb_irq_mode::msix;
    p.rss_queues = 1;
    p.queue_pairs = true;
    p.num_q_vectors = 1;
    queues_why = fell_back ? "MSI-X lacks vectors" : "one interrupt without MSI-X";
    vectors_why = "one interrupt";
  } else {
    vectors_why = p.queue_pairs ? fmt::format("{} paired TxRx + other: {} > {}/2 queues", p.rss_queues, p.rss_queues,
                                              part.max_rss_queues)
                                : fmt::format("{} rx + {} tx + other: {} <= {}/2 queues", p.rss_queues, p.rss_queues,
                                              p.rss_queues, part.max_rss_queues);
  }
  // igb_setup_srrctl: DROP_EN with VFs (none here), or RX flow control off and several queues
  std::string drop_why;
  if (w.drop_en >= 0) {
    p.drop_en = w.drop_en != 0;
    drop_why = "nic.drop_en";
  } else {
    p.drop_en = !w.rx_flow_control && p.rss_queues > 1;
    drop_why = p.rss_queues > 1 ? "several queues, no RX flow control" : "one queue";
  }
  // IGB_RX_WTHRESH: 1 on the 82576 with MSI-X, else 4
  const uint32_t igb_wthresh = (part.mac == igb_mac::e82576 && p.irq_mode == igb_irq_mode::msix) ? 1 : 4;
  p.wthresh = w.wthresh >= 0 ? static_cast<uint32_t>(w.wthresh) : igb_wthresh;
  p.pktbuf_kb = w.pktbuf_kb > 0 ? static_cast<uint32_t>(w.pktbuf_kb) : part.pktbuf_kb;
  const char* mode = p.irq_mode == igb_irq_mode::msix ? "MSI-X" : p.irq_mode == igb_irq_mode::msi ? "MSI" : "INTx";
  p.why = fmt::format(
      "{}: {} queue{} ({}), {} {} vector{} ({}), ITR by {} ({} q_vector{})\n"
      "             DROP_EN {} ({}), WTHRESH {}{}, packet buffer {} KB{}",
      part.name, p.rss_queues, p.rss_queues == 1 ? "" : "s", queues_why,
      p.irq_mode == igb_irq_mode::msix ? p.msix_vectors() : 1, mode,
      (p.irq_mode == igb_irq_mode::msix ? p.msix_vectors() : 1) == 1 ? "" : "s", vectors_why, p.itr_algorithm(),
      p.num_q_vectors, p.num_q_vectors == 1 ? "" : "s", p.drop_en ? "on" : "off", drop_why, p.wthresh,
      w.wthresh >= 0 ? " (nic.wthresh)" : " (IGB_RX_WTHRESH)", p.pktbuf_kb, w.pktbuf_kb > 0 ? " (nic.pktbuf_kb)" : "");
  return p;
}

}  // namespace igbsim
