// SPDX-License-Identifier: Apache-2.0
#include "igb_part.h"

#include <algorithm>
#include <stdexcept>

namespace igbsim {

namespace {
// Packet buffers. igb reads the 82576's RXPBS (its reset value: 64 KB, E1000_PBA_64K, which igb
// used for it before it read the register) and writes the I210's to I210_RXPBSIZE_DEFAULT
// (0xA2: 34 KB for the host, 2 KB for the BMC). The I350's reset RXPBS, which igb translates
// through igb_rxpbs_adjust_82580's table (36, 72, 144 KB, ...), is not confirmed: the model
// keeps the 64 KB it always used. The model's RXPBS holds kilobytes on every part, and its
// driver writes it on every part.
constexpr igb_part kParts[] = {
    {"i350", igb_mac::i350, 8, 10, false, 64},
    {"82576", igb_mac::e82576, 8, 25, true, 64},
    {"i210", igb_mac::i210, 4, 5, false, 34},
};
}  // namespace

const char* igb_irq_mode_name(igb_irq_mode m) {
  return m == igb_irq_mode::msix ? "msix" : m == igb_irq_mode::msi ? "msi" : "intx";
}

const char* igb_fc_mode_name(igb_fc_mode m) {
  return m == igb_fc_mode::none       ? "none"
         : m == igb_fc_mode::rx_pause ? "rx_pause"
         : m == igb_fc_mode::tx_pause ? "tx_pause"
                                      : "full";
}

igb_fc_mode igb_resolve_fc(igb_fc_mode local, igb_fc_mode partner) {
  // The advertised bits: PAUSE for rx_pause and full, ASM_DIR for all but none
  const bool l_pause = fc_rx_pause(local), l_asm = local != igb_fc_mode::none;
  const bool p_pause = fc_rx_pause(partner), p_asm = partner != igb_fc_mode::none;
  // igb_config_fc_after_link_up's four cases, in its order
  if (l_pause && p_pause)
    return local == igb_fc_mode::full ? igb_fc_mode::full : igb_fc_mode::rx_pause;
  if (!l_pause && l_asm && p_pause && p_asm) return igb_fc_mode::tx_pause;
  if (l_pause && l_asm && !p_pause && p_asm) return igb_fc_mode::rx_pause;
  return igb_fc_mode::none;
}

const igb_part* igb_find_part(const std::string& name) {
  for (const igb_part& p : kParts)
    if (name == p.name) return &p;
  return nullptr;
}

igb_plan igb_plan_configuration(const igb_setup& s) {
  const igb_part& part = *s.part;
  igb_plan p;
  p.irq_mode = s.irq_mode;
  if (s.queues > part.max_rss_queues)
    throw std::invalid_argument("nic.queues: the " + std::string(part.name) + " has " +
                                std::to_string(part.max_rss_queues) +
                                " receive queues, asked for " + std::to_string(s.queues));
  // igb_init_queue_configuration: rss_queues = min(max_rss_queues, num_online_cpus())
  p.queues_set = s.queues > 0;
  p.rss_queues = p.queues_set ? s.queues : std::min(part.max_rss_queues, s.online_cpus);
  // igb_set_flag_queue_pairs: pair when rss_queues > max_rss_queues / 2 (the 82575 and I211,
  // which never pair, are not modelled)
  p.queue_pairs = p.rss_queues > part.max_rss_queues / 2;
  // igb_set_interrupt_capability: a vector per RX queue, one per TX queue unless paired, plus
  // one for link and other causes; if MSI-X cannot give that many, MSI with one queue (no
  // modelled part needs more than it has: 9 of 10, 9 of 25, 5 of 5).
  p.num_q_vectors = p.rss_queues + (p.queue_pairs ? 0 : p.rss_queues);
  if (p.irq_mode == igb_irq_mode::msix && p.num_q_vectors + 1 > part.msix_vectors) {
    p.irq_mode = igb_irq_mode::msi;
    p.msix_fell_back = true;
  }
  if (p.irq_mode != igb_irq_mode::msix) {  // msi_only: one queue, one q_vector
    p.rss_queues = 1;
    p.queue_pairs = true;
    p.num_q_vectors = 1;
  }
  // igb_setup_srrctl: DROP_EN with VFs (none here), or with several queues when the flow control
  // does not include receiving PAUSE (fc.current_mode & e1000_fc_rx_pause). igb_configure runs
  // before the link is up, with fc.current_mode as e1000_setup_link_generic set it: the
  // requested mode (the resolved one replaces it only at link-up, after SRRCTL is written, and
  // every igb_reset sets it back), so the requested mode decides, not the partner's.
  p.drop_en_set = s.drop_en >= 0;
  p.drop_en = p.drop_en_set ? s.drop_en != 0 : !fc_rx_pause(s.fc) && p.rss_queues > 1;
  p.fc_requested = s.fc;
  p.fc_mode = igb_resolve_fc(s.fc, s.partner_fc);
  // IGB_RX_WTHRESH: 1 on the 82576 with MSI-X, else 4
  p.wthresh_set = s.wthresh >= 0;
  p.wthresh = p.wthresh_set ? static_cast<uint32_t>(s.wthresh)
              : (part.mac == igb_mac::e82576 && p.irq_mode == igb_irq_mode::msix) ? 1
                                                                                  : 4;
  p.itr_dynamic = (s.rx_itr_setting & 3) != 0;
  p.pktbuf_set = s.pktbuf_kb > 0;
  p.pktbuf_kb = p.pktbuf_set ? static_cast<uint32_t>(s.pktbuf_kb) : part.pktbuf_kb;
  return p;
}

}  // namespace igbsim
