// SPDX-License-Identifier: Apache-2.0
// Register offsets and bits of the igb-class NIC, as in Linux e1000_regs.h / e1000_defines.h /
// e1000_82575.h. Mirrors rtl/igb_pkg.sv; keep the two in step.
#pragma once
#include <cstdint>

namespace igbsim {

constexpr uint32_t E1000_RCTL = 0x00100;
constexpr uint32_t E1000_CTRL = 0x00000;
constexpr uint32_t E1000_CTRL_RST = 1u << 26;  // device reset (self-clearing)
constexpr uint32_t E1000_RXCSUM = 0x05000;
constexpr uint32_t E1000_MRQC = 0x05818;
constexpr uint32_t E1000_RLPML = 0x05004;  // receive long packet maximum length (RCTL.LPE)
// Receive address register n: RAL bytes 0-3 of the address, RAH bytes 4-5 and AV (the model
// has RAR[0] only, the one igb programs with the device's own address)
constexpr uint32_t E1000_RAL(unsigned n) { return 0x05400 + 8 * n; }
constexpr uint32_t E1000_RAH(unsigned n) { return 0x05404 + 8 * n; }
constexpr uint32_t E1000_RAH_AV = 0x80000000;      // receive address valid
constexpr uint32_t MAX_JUMBO_FRAME_SIZE = 0x2600;  // 9728: the most the part receives
constexpr uint32_t E1000_RSSRK(unsigned n) { return 0x05C80 + 4 * n; }
constexpr uint32_t E1000_RETA(unsigned n) { return 0x05C00 + 4 * n; }  // n < 32
constexpr uint32_t E1000_RXCSUM_CRCOFL = 0x00000800;
constexpr uint32_t E1000_RXCSUM_PCSD = 0x00002000;
constexpr uint32_t E1000_MRQC_ENABLE_RSS_MQ = 0x00000002;
constexpr uint32_t E1000_MRQC_RSS_FIELD_IPV4_TCP = 0x00010000;
constexpr uint32_t E1000_MRQC_RSS_FIELD_IPV4 = 0x00020000;
constexpr uint32_t E1000_MRQC_RSS_FIELD_IPV6_TCP_EX = 0x00040000;
constexpr uint32_t E1000_MRQC_RSS_FIELD_IPV6 = 0x00100000;
constexpr uint32_t E1000_MRQC_RSS_FIELD_IPV6_TCP = 0x00200000;
constexpr uint32_t E1000_MRQC_RSS_FIELD_IPV4_UDP = 0x00400000;
constexpr uint32_t E1000_RXPBS = 0x02404;
constexpr uint32_t E1000_ICR = 0x000C0;
constexpr uint32_t E1000_ICS = 0x000C8;
constexpr uint32_t E1000_IMS = 0x000D0;
constexpr uint32_t E1000_IMC = 0x000D8;
constexpr uint32_t E1000_IAM = 0x000E0;
constexpr uint32_t E1000_GPIE = 0x01514;
constexpr uint32_t E1000_EICS = 0x01520;
constexpr uint32_t E1000_EIMS = 0x01524;
constexpr uint32_t E1000_EIMC = 0x01528;
constexpr uint32_t E1000_EIAC = 0x0152C;
constexpr uint32_t E1000_EIAM = 0x01530;
constexpr uint32_t E1000_EICR = 0x01580;
constexpr uint32_t E1000_EITR(unsigned n) { return 0x01680 + 4 * n; }
constexpr uint32_t E1000_IVAR0 = 0x01700;
constexpr uint32_t E1000_IVAR_MISC = 0x01740;
// Queue registers: 0x2800 block for n < 4, 0xC000 block otherwise (as Linux does).
constexpr uint32_t rx_reg(unsigned n, uint32_t off) {
  return n < 4 ? 0x02800 + n * 0x100 + off : 0x0C000 + n * 0x40 + off;
}
constexpr uint32_t E1000_RDBAL(unsigned n) { return rx_reg(n, 0x00); }
constexpr uint32_t E1000_RDBAH(unsigned n) { return rx_reg(n, 0x04); }
constexpr uint32_t E1000_RDLEN(unsigned n) { return rx_reg(n, 0x08); }
constexpr uint32_t E1000_SRRCTL(unsigned n) { return rx_reg(n, 0x0C); }
constexpr uint32_t E1000_RDH(unsigned n) { return rx_reg(n, 0x10); }
constexpr uint32_t E1000_RDT(unsigned n) { return rx_reg(n, 0x18); }
constexpr uint32_t E1000_RXDCTL(unsigned n) { return rx_reg(n, 0x28); }
constexpr uint32_t E1000_RQDPC(unsigned n) { return 0x0C030 + n * 0x40; }
// Statistics (read-to-clear)
constexpr uint32_t E1000_MPC = 0x04010;
constexpr uint32_t E1000_GPRC = 0x04074;
constexpr uint32_t E1000_GORCL = 0x04088;
constexpr uint32_t E1000_GORCH = 0x0408C;
constexpr uint32_t E1000_RNBC = 0x040A0;
constexpr uint32_t E1000_RUC = 0x040A4;  // receive undersize count (runts)
constexpr uint32_t E1000_ROC = 0x040AC;  // receive oversize count (longer than RLPML allows)
constexpr uint32_t E1000_IAC = 0x04100;
constexpr uint32_t E1000_ICRXDMTC = 0x04120;

// ICR causes
constexpr uint32_t E1000_ICR_LSC = 0x00000004;
constexpr uint32_t E1000_ICR_RXDMT0 = 0x00000010;
constexpr uint32_t E1000_ICR_RXT0 = 0x00000080;
constexpr uint32_t E1000_ICR_INT_ASSERTED = 0x80000000;
constexpr uint32_t E1000_ICR_TXDW = 0x00000001, E1000_ICR_RXSEQ = 0x00000008;
constexpr uint32_t E1000_ICR_DOUTSYNC = 0x10000000, E1000_ICR_DRSTA = 0x40000000;
// IMS_ENABLE_MASK (igb.h): the causes igb enables without MSI-X
constexpr uint32_t IMS_ENABLE_MASK = E1000_ICR_RXT0 | E1000_ICR_TXDW | E1000_ICR_RXDMT0 |
                                     E1000_ICR_RXSEQ | E1000_ICR_LSC | E1000_ICR_DOUTSYNC;
// RCTL
constexpr uint32_t E1000_RCTL_EN = 0x00000002;
constexpr uint32_t E1000_RCTL_UPE = 0x00000008;  // unicast promiscuous
constexpr uint32_t E1000_RCTL_MPE = 0x00000010;  // multicast promiscuous
constexpr uint32_t E1000_RCTL_LPE = 0x00000020;
constexpr uint32_t E1000_RCTL_BAM = 0x00008000;
constexpr uint32_t E1000_RCTL_SECRC = 0x04000000;
// SRRCTL
constexpr uint32_t E1000_SRRCTL_BSIZEPKT_SHIFT = 10;
constexpr uint32_t E1000_SRRCTL_BSIZEHDRSIZE_SHIFT = 2;
constexpr uint32_t E1000_SRRCTL_DESCTYPE_ADV_ONEBUF = 0x02000000;
constexpr uint32_t E1000_SRRCTL_DROP_EN = 0x80000000;
// RXDCTL
constexpr uint32_t E1000_RXDCTL_QUEUE_ENABLE = 0x02000000;
// GPIE
constexpr uint32_t E1000_GPIE_NSICR = 0x00000001;
constexpr uint32_t E1000_GPIE_MSIX_MODE = 0x00000010;
constexpr uint32_t E1000_GPIE_EIAME = 0x40000000;
constexpr uint32_t E1000_GPIE_PBA = 0x80000000;
// EITR / IVAR
constexpr uint32_t E1000_EITR_CNT_IGNR = 0x80000000;
constexpr uint32_t E1000_IVAR_VALID = 0x80;
// Advanced receive descriptor write-back status
constexpr uint32_t E1000_RXD_STAT_DD = 0x01;
constexpr uint32_t E1000_RXD_STAT_EOP = 0x02;
constexpr uint32_t E1000_RXD_STAT_IXSM = 0x04;
constexpr uint32_t E1000_RXD_STAT_UDPCS = 0x10;
constexpr uint32_t E1000_RXD_STAT_TCPCS = 0x20;  // L4CS: TCP or UDP checksum checked
constexpr uint32_t E1000_RXD_STAT_L4CS = 0x20;
constexpr uint32_t E1000_RXD_STAT_IPCS = 0x40;
constexpr uint32_t E1000_RXDEXT_STATERR_CE = 0x01000000;
constexpr uint32_t E1000_RXDEXT_STATERR_SE = 0x02000000;
constexpr uint32_t E1000_RXDEXT_STATERR_SEQ = 0x04000000;
constexpr uint32_t E1000_RXDEXT_STATERR_CXE = 0x10000000;
constexpr uint32_t E1000_RXDEXT_STATERR_TCPE = 0x20000000;  // L4E
constexpr uint32_t E1000_RXDEXT_STATERR_IPE = 0x40000000;
constexpr uint32_t E1000_RXDEXT_STATERR_RXE = 0x80000000;
constexpr uint32_t E1000_RXDEXT_ERR_FRAME_ERR_MASK =
    E1000_RXDEXT_STATERR_CE | E1000_RXDEXT_STATERR_SE | E1000_RXDEXT_STATERR_SEQ |
    E1000_RXDEXT_STATERR_CXE | E1000_RXDEXT_STATERR_RXE;

// union e1000_adv_rx_desc (16 bytes, little-endian in host memory)
union e1000_adv_rx_desc {
  struct {
    uint64_t pkt_addr;
    uint64_t hdr_addr;
  } read;
  struct {
    struct {
      uint16_t pkt_info;
      uint16_t hdr_info;
      uint32_t rss;
    } lower;
    struct {
      uint32_t status_error;
      uint16_t length;
      uint16_t vlan;
    } upper;
  } wb;
};
static_assert(sizeof(e1000_adv_rx_desc) == 16, "advanced descriptor is 16 bytes");

}  // namespace igbsim
