// SPDX-License-Identifier: Apache-2.0
// Register offsets and bits of the igb-class NIC, as in Linux e1000_regs.h / e1000_defines.h /
// e1000_82575.h. Mirrors rtl/igb_pkg.sv; keep the two in step.
#pragma once
#include <cstdint>

namespace igbsim {

constexpr uint32_t E1000_RCTL = 0x00100;
constexpr uint32_t E1000_CTRL = 0x00000;
constexpr uint32_t E1000_CTRL_RST = 1u << 26;     // device reset (self-clearing)
constexpr uint32_t E1000_CTRL_RFCE = 0x08000000;  // receive flow control enable
constexpr uint32_t E1000_CTRL_TFCE = 0x10000000;  // transmit flow control enable
constexpr uint32_t E1000_STATUS = 0x00008;
constexpr uint32_t E1000_STATUS_TXOFF = 0x00000010;  // transmission paused (PAUSE received)
// IEEE 802.3x flow control (e1000_regs.h, e1000_defines.h)
constexpr uint32_t E1000_FCAL = 0x00028;           // flow control address low
constexpr uint32_t E1000_FCAH = 0x0002C;           // flow control address high
constexpr uint32_t E1000_FCT = 0x00030;            // flow control type
constexpr uint32_t E1000_FCTTV = 0x00170;          // flow control transmit timer value
constexpr uint32_t E1000_FCRTL = 0x02160;          // flow control receive threshold low
constexpr uint32_t E1000_FCRTH = 0x02168;          // flow control receive threshold high
constexpr uint32_t E1000_FCRTV = 0x02460;          // flow control refresh timer value
constexpr uint32_t E1000_FCRTL_XONE = 0x80000000;  // send XON below the low mark
// FLOW_CONTROL_ADDRESS_LOW/HIGH, FLOW_CONTROL_TYPE (e1000_hw.h): 01-80-C2-00-00-01, 0x8808
constexpr uint32_t FLOW_CONTROL_ADDRESS_LOW = 0x00C28001;
constexpr uint32_t FLOW_CONTROL_ADDRESS_HIGH = 0x00000100;
constexpr uint32_t FLOW_CONTROL_TYPE = 0x8808;
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
// Transmit queue registers: 0x3800 block for n < 4, 0xE000 block otherwise (as Linux does).
constexpr uint32_t tx_reg(unsigned n, uint32_t off) {
  return n < 4 ? 0x03800 + n * 0x100 + off : 0x0E000 + n * 0x40 + off;
}
constexpr uint32_t E1000_TDBAL(unsigned n) { return tx_reg(n, 0x00); }
constexpr uint32_t E1000_TDBAH(unsigned n) { return tx_reg(n, 0x04); }
constexpr uint32_t E1000_TDLEN(unsigned n) { return tx_reg(n, 0x08); }
constexpr uint32_t E1000_TDH(unsigned n) { return tx_reg(n, 0x10); }
constexpr uint32_t E1000_TDT(unsigned n) { return tx_reg(n, 0x18); }
constexpr uint32_t E1000_TXDCTL(unsigned n) { return tx_reg(n, 0x28); }
constexpr uint32_t E1000_TCTL = 0x00400;
constexpr uint32_t E1000_TIPG = 0x00410;
// Good transmitted packets per queue (82576/I350; read-to-clear)
constexpr uint32_t E1000_PQGPTC(unsigned n) { return 0x10014 + 0x100 * n; }
// Statistics (read-to-clear)
constexpr uint32_t E1000_MPC = 0x04010;
constexpr uint32_t E1000_GPRC = 0x04074;
constexpr uint32_t E1000_GORCL = 0x04088;
constexpr uint32_t E1000_GORCH = 0x0408C;
constexpr uint32_t E1000_RNBC = 0x040A0;
constexpr uint32_t E1000_RUC = 0x040A4;    // receive undersize count (runts)
constexpr uint32_t E1000_ROC = 0x040AC;    // receive oversize count (longer than RLPML allows)
constexpr uint32_t E1000_GPTC = 0x04080;   // good packets transmitted
constexpr uint32_t E1000_GOTCL = 0x04090;  // good octets transmitted (FCS included), low half
constexpr uint32_t E1000_GOTCH = 0x04094;
constexpr uint32_t E1000_TOTL = 0x040C8;  // total octets transmitted, low half
constexpr uint32_t E1000_TOTH = 0x040CC;
constexpr uint32_t E1000_TPT = 0x040D4;      // total packets transmitted
constexpr uint32_t E1000_XONRXC = 0x04048;   // XON frames received
constexpr uint32_t E1000_XONTXC = 0x0404C;   // XON frames transmitted
constexpr uint32_t E1000_XOFFRXC = 0x04050;  // XOFF frames received
constexpr uint32_t E1000_XOFFTXC = 0x04054;  // XOFF frames transmitted
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
constexpr uint32_t E1000_RCTL_DPF = 0x00400000;  // discard PAUSE frames
constexpr uint32_t E1000_RCTL_SECRC = 0x04000000;
// SRRCTL
constexpr uint32_t E1000_SRRCTL_BSIZEPKT_SHIFT = 10;
constexpr uint32_t E1000_SRRCTL_BSIZEHDRSIZE_SHIFT = 2;
constexpr uint32_t E1000_SRRCTL_DESCTYPE_ADV_ONEBUF = 0x02000000;
constexpr uint32_t E1000_SRRCTL_DROP_EN = 0x80000000;
// RXDCTL
constexpr uint32_t E1000_RXDCTL_QUEUE_ENABLE = 0x02000000;
// TXDCTL
constexpr uint32_t E1000_TXDCTL_QUEUE_ENABLE = 0x02000000;
// TCTL (e1000_defines.h); igb_setup_tctl writes CT = E1000_COLLISION_THRESHOLD and
// COLD = E1000_COLLISION_DISTANCE
constexpr uint32_t E1000_TCTL_EN = 0x00000002;
constexpr uint32_t E1000_TCTL_PSP = 0x00000008;
constexpr uint32_t E1000_TCTL_CT = 0x00000ff0;
constexpr uint32_t E1000_TCTL_COLD = 0x003ff000;
constexpr uint32_t E1000_TCTL_RTLC = 0x01000000;
constexpr uint32_t E1000_CT_SHIFT = 4;
constexpr uint32_t E1000_COLD_SHIFT = 12;
constexpr uint32_t E1000_COLLISION_THRESHOLD = 15;
constexpr uint32_t E1000_COLLISION_DISTANCE = 63;
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

// Advanced transmit descriptors (e1000_82575.h): cmd_type_len / type_tucmd_mlhl bits
constexpr uint32_t E1000_ADVTXD_DTYP_CTXT = 0x00200000;  // advanced context descriptor
constexpr uint32_t E1000_ADVTXD_DTYP_DATA = 0x00300000;  // advanced data descriptor
constexpr uint32_t E1000_ADVTXD_DCMD_EOP = 0x01000000;   // end of packet
constexpr uint32_t E1000_ADVTXD_DCMD_IFCS = 0x02000000;  // insert FCS
constexpr uint32_t E1000_ADVTXD_DCMD_RS = 0x08000000;    // report status
constexpr uint32_t E1000_ADVTXD_DCMD_DEXT = 0x20000000;  // descriptor extension (1 = adv)
constexpr uint32_t E1000_ADVTXD_DCMD_VLE = 0x40000000;   // VLAN packet enable
constexpr uint32_t E1000_ADVTXD_DCMD_TSE = 0x80000000;   // TCP segmentation enable
// olinfo_status
constexpr uint32_t E1000_ADVTXD_POPTS_IXSM = 0x00000100;  // insert IP checksum
constexpr uint32_t E1000_ADVTXD_POPTS_TXSM = 0x00000200;  // insert TCP/UDP checksum
constexpr uint32_t E1000_ADVTXD_PAYLEN_SHIFT = 14;        // adv desc PAYLEN shift
// Context descriptor fields
constexpr uint32_t E1000_ADVTXD_MACLEN_SHIFT = 9;            // adv ctxt desc mac len shift
constexpr uint32_t E1000_ADVTXD_TUCMD_IPV4 = 0x00000400;     // IP packet type: 1 = IPv4
constexpr uint32_t E1000_ADVTXD_TUCMD_L4T_UDP = 0x00000000;  // L4 packet TYPE of UDP
constexpr uint32_t E1000_ADVTXD_TUCMD_L4T_TCP = 0x00000800;  // L4 packet TYPE of TCP
constexpr uint32_t E1000_ADVTXD_L4LEN_SHIFT = 8;             // adv ctxt L4LEN shift
constexpr uint32_t E1000_ADVTXD_MSS_SHIFT = 16;              // adv ctxt MSS shift
// Transmit write-back status (e1000_defines.h)
constexpr uint32_t E1000_TXD_STAT_DD = 0x00000001;  // descriptor done

// union e1000_adv_tx_desc (16 bytes, little-endian in host memory)
union e1000_adv_tx_desc {
  struct {
    uint64_t buffer_addr;  // address of descriptor's data buf
    uint32_t cmd_type_len;
    uint32_t olinfo_status;
  } read;
  struct {
    uint64_t rsvd;  // reserved
    uint32_t nxtseq_seed;
    uint32_t status;
  } wb;
};
static_assert(sizeof(e1000_adv_tx_desc) == 16, "advanced descriptor is 16 bytes");

// Context descriptors
struct e1000_adv_tx_context_desc {
  uint32_t vlan_macip_lens;
  uint32_t seqnum_seed;
  uint32_t type_tucmd_mlhl;
  uint32_t mss_l4len_idx;
};
static_assert(sizeof(e1000_adv_tx_context_desc) == 16, "context descriptor is 16 bytes");

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
