// SPDX-License-Identifier: Apache-2.0
// igb_pkg: register offsets, bit fields and shared types of the igb-class NIC model.
// Offsets and bits are the 82576/I350 datasheet's, as read in Linux e1000_regs.h,
// e1000_defines.h and e1000_82575.h (see docs/reference/igb-linux-rx.md, sections A-D).
// The C++ side mirrors these names in driver/e1000_regs.h.
`default_nettype none

package igb_pkg;

  localparam int MmioAw = 17;  // BAR0 is 128 KiB

  // Receive queues and interrupt vectors the hardware has. The I350 has 8 receive queues;
  // its MSI-X table size of 10 is taken from the datasheet (UNVERIFIED in the reference; the
  // driver needs 9: vector 0 "other" plus one per queue). The driver enables as many queues
  // as the scenario asks for (nic.queues); the others stay disabled and idle.
  localparam int NumQueues = 8;
  localparam int NumVectors = 10;
  // DMA tags on the memory port: {queue, 4-bit tag}. A descriptor read's low nibble is its
  // read slot in that queue's descriptor cache; a write's low nibble is its class.
  localparam int DmaTagW = 8;
  // Memory-port data: 16 bytes a beat, both ways. PCIe Gen2 x4 carries 2 GB/s of data, 16 bytes
  // per 8 ns cycle; a beat is one descriptor (read completion or write-back) or two words of
  // the packet buffer.
  localparam int DmaW = 128;
  // Receive stream from the MAC: 16 bytes a beat (a beat's worth arrives every 16 cycles at
  // 1 Gb/s); rx_bytes_i counts the valid bytes of the last one, 1..16.
  localparam int RxW = 128;

  // Global receive control and interrupts
  localparam logic [MmioAw-1:0] CTRL      = 17'h00000;  // device control; bit 26 RST
  localparam logic [MmioAw-1:0] STATUS    = 17'h00008;  // device status; bit 4 TXOFF
  localparam logic [MmioAw-1:0] RCTL      = 17'h00100;
  localparam logic [MmioAw-1:0] RXPBS     = 17'h02404;  // RX packet buffer size, KB in 6:0
  // RXCSUM: 0x5000 in the e1000 register map (UNVERIFIED for igb in the reference; chosen)
  localparam logic [MmioAw-1:0] RXCSUM    = 17'h05000;
  localparam logic [MmioAw-1:0] MRQC      = 17'h05818;
  // RLPML: receive long packet maximum length, bits 13:0, used while RCTL.LPE is set
  localparam logic [MmioAw-1:0] RLPML     = 17'h05004;
  // Receive address registers RAR[0]: RAL0 holds bytes 0-3 of the station address (byte 0 in
  // bits 7:0), RAH0 bytes 4-5 in bits 15:0 and AV (address valid) in bit 31. The part has
  // 16 (82576) to 32 (I350) of them; the model has RAR[0], the one igb programs with the
  // device's own address (e1000_rar_set(hw, hw->mac.addr, 0)); the others read as zero.
  localparam logic [MmioAw-1:0] RAL0      = 17'h05400;
  localparam logic [MmioAw-1:0] RAH0      = 17'h05404;
  localparam logic [MmioAw-1:0] RSSRK0    = 17'h05C80;  // RSSRK(n) = RSSRK0 + 4n, n < 10
  // RETA(n) = RETA0 + 4n, n < 32: 128 one-byte entries, entry i in byte i%4 of RETA(i/4);
  // the receive queue is the entry's low bits (igb_write_rss_indir_tbl with shift 0, I350)
  localparam logic [MmioAw-1:0] RETA0     = 17'h05C00;
  localparam logic [MmioAw-1:0] ICR       = 17'h000C0;
  localparam logic [MmioAw-1:0] ICS       = 17'h000C8;
  localparam logic [MmioAw-1:0] IMS       = 17'h000D0;
  localparam logic [MmioAw-1:0] IMC       = 17'h000D8;
  localparam logic [MmioAw-1:0] IAM       = 17'h000E0;
  localparam logic [MmioAw-1:0] GPIE      = 17'h01514;
  localparam logic [MmioAw-1:0] EICS      = 17'h01520;
  localparam logic [MmioAw-1:0] EIMS      = 17'h01524;
  localparam logic [MmioAw-1:0] EIMC      = 17'h01528;
  localparam logic [MmioAw-1:0] EIAC      = 17'h0152C;
  localparam logic [MmioAw-1:0] EIAM      = 17'h01530;
  localparam logic [MmioAw-1:0] EICR      = 17'h01580;
  localparam logic [MmioAw-1:0] EITR0     = 17'h01680;  // EITR(n) = EITR0 + 4n
  localparam logic [MmioAw-1:0] IVAR0     = 17'h01700;  // IVAR0(n) = IVAR0 + 4n
  // IVAR0 entries, RX cause of queue q: 82580/I350/I210 (row-major): IVAR0(q/2) byte 2*(q%2);
  // 82576 (column-major, strap ivar_82576_i): IVAR0(q & 7) byte 2*(q >> 3). The TX cause's
  // entry is the byte above its RX one (reference D). Eight registers serve both.
  localparam int NumIvar = 8;
  localparam logic [MmioAw-1:0] IVAR_MISC = 17'h01740;

  // Receive queue registers: legacy block 0x2800 + 0x100n (n < 4) and canonical block
  // 0xC000 + 0x40n, both decoded
  localparam logic [MmioAw-1:0] RDBAL_A  = 17'h02800;
  localparam logic [MmioAw-1:0] RDBAL_C  = 17'h0C000;
  localparam logic [7:0] OffRDBAL  = 8'h00;
  localparam logic [7:0] OffRDBAH  = 8'h04;
  localparam logic [7:0] OffRDLEN  = 8'h08;
  localparam logic [7:0] OffSRRCTL = 8'h0C;
  localparam logic [7:0] OffRDH    = 8'h10;
  localparam logic [7:0] OffRDT    = 8'h18;
  localparam logic [7:0] OffRXDCTL = 8'h28;

  // Transmit queue registers: legacy block 0x3800 + 0x100n (n < 4) and canonical block
  // 0xE000 + 0x40n, both decoded as for the receive queues (reference A.1)
  localparam logic [MmioAw-1:0] TDBAL_A  = 17'h03800;
  localparam logic [MmioAw-1:0] TDBAL_C  = 17'h0E000;
  localparam logic [7:0] OffTDBAL  = 8'h00;
  localparam logic [7:0] OffTDBAH  = 8'h04;
  localparam logic [7:0] OffTDLEN  = 8'h08;
  localparam logic [7:0] OffTDH    = 8'h10;
  localparam logic [7:0] OffTDT    = 8'h18;
  localparam logic [7:0] OffTXDCTL = 8'h28;
  // IEEE 802.3x flow control (e1000_regs.h; DS-I210 8.5, 8.2): the PAUSE address (FCAL bytes
  // 0-3, FCAH bytes 4-5), its EtherType, the XOFF pause time, and the receive packet buffer's
  // marks (bytes, 16-byte granular) with FCRTL.XONE; FCRTV: XOFF refresh, in pause quanta
  localparam logic [MmioAw-1:0] FCAL     = 17'h00028;
  localparam logic [MmioAw-1:0] FCAH     = 17'h0002C;
  localparam logic [MmioAw-1:0] FCT      = 17'h00030;
  localparam logic [MmioAw-1:0] FCTTV    = 17'h00170;
  localparam logic [MmioAw-1:0] FCRTL    = 17'h02160;
  localparam logic [MmioAw-1:0] FCRTH    = 17'h02168;
  localparam logic [MmioAw-1:0] FCRTV    = 17'h02460;
  // Global transmit control (reference A.3)
  localparam logic [MmioAw-1:0] TCTL     = 17'h00400;
  localparam logic [MmioAw-1:0] TIPG     = 17'h00410;

  // Statistics, read-to-clear
  localparam logic [MmioAw-1:0] MPC   = 17'h04010;
  localparam logic [MmioAw-1:0] GPRC  = 17'h04074;
  localparam logic [MmioAw-1:0] GORCL = 17'h04088;
  localparam logic [MmioAw-1:0] GORCH = 17'h0408C;
  localparam logic [MmioAw-1:0] RNBC  = 17'h040A0;
  localparam logic [MmioAw-1:0] RUC   = 17'h040A4;  // receive undersize count
  localparam logic [MmioAw-1:0] ROC   = 17'h040AC;  // receive oversize count
  // Transmit statistics (reference A.5): good frames and octets (FCS included), all frames
  localparam logic [MmioAw-1:0] GPTC  = 17'h04080;
  localparam logic [MmioAw-1:0] GOTCL = 17'h04090;
  localparam logic [MmioAw-1:0] GOTCH = 17'h04094;
  localparam logic [MmioAw-1:0] TOTL  = 17'h040C8;
  localparam logic [MmioAw-1:0] TOTH  = 17'h040CC;
  localparam logic [MmioAw-1:0] TPT   = 17'h040D4;
  // Per-queue good packets transmitted, PQGPTC(n) = PQGPTC0 + 0x100n (Linux e1000_regs.h,
  // "Good transmitted packets counter registers"; read-to-clear like the other statistics)
  localparam logic [MmioAw-1:0] PQGPTC0 = 17'h10014;
  localparam logic [7:0] OffRQDPC  = 8'h30;  // per-queue drop count, read-to-clear
  // Flow control frames received and sent (read-to-clear; ethtool -S rx_flow_control_xon ..)
  localparam logic [MmioAw-1:0] XONRXC  = 17'h04048;
  localparam logic [MmioAw-1:0] XONTXC  = 17'h0404C;
  localparam logic [MmioAw-1:0] XOFFRXC = 17'h04050;
  localparam logic [MmioAw-1:0] XOFFTXC = 17'h04054;
  localparam logic [MmioAw-1:0] IAC      = 17'h04100;  // interrupt assertion count
  localparam logic [MmioAw-1:0] ICRXDMTC = 17'h04120;  // RXDMT0 interrupt cause count

  // ICR cause bits
  localparam logic [31:0] IcrTxdw         = 32'h0000_0001;  // transmit descriptors written back
  localparam logic [31:0] IcrLsc          = 32'h0000_0004;
  localparam logic [31:0] IcrRxdmt0       = 32'h0000_0010;
  localparam logic [31:0] IcrRxt0         = 32'h0000_0080;
  localparam logic [31:0] IcrIntAsserted  = 32'h8000_0000;
  localparam logic [31:0] IcrMask         = 32'h4000_FFFF;  // causes ICR holds (QEMU's legacy mask)
  // SRRCTL.RDMTS: bits 24:20, in units of 16 descriptors
  localparam int SrrctlRdmtsLo = 20;

  // RCTL bits
  localparam int CtrlRst   = 26;
  localparam int CtrlRfce  = 27;  // honour received PAUSE frames
  localparam int CtrlTfce  = 28;  // send PAUSE frames
  localparam int StatusTxoff = 4;  // transmission paused by a received PAUSE frame
  localparam int FcrtlXone = 31;  // send XON when the fill falls below FCRTL
  localparam int RctlDpf   = 22;  // discard PAUSE frames (not passed to the host)
  // CTRL.RST holds the device in reset this many cycles (8.2 us at 125 MHz); software waits
  // before touching it again (igb sleeps 10-20 ms after e1000_reset_hw)
  localparam int SwResetCycles = 1024;
  localparam int RctlEn    = 1;
  localparam int RctlUpe   = 3;   // unicast promiscuous: every unicast frame passes
  localparam int RctlMpe   = 4;   // multicast promiscuous: every multicast frame passes
  localparam int RctlLpe   = 5;   // long packets: up to RLPML bytes instead of 1518
  localparam int RctlBam   = 15;  // broadcast accept
  localparam int RahAv     = 31;  // RAH: the address is valid
  // Size filter (82576/I350; I210 datasheet 7.1.1.4): lengths count the bytes from the
  // destination address through the CRC. A frame is oversize above 1518 bytes with RCTL.LPE
  // clear, above RLPML with it set; each VLAN tag (TPID 0x8100, up to two) adds 4 bytes to
  // the limit (Linux commit "igb: Do not factor VLANs into RLPML calculation": the part does).
  localparam logic [15:0] MaxFrameNoLpe = 16'd1518;
  localparam logic [13:0] RlpmlReset    = 14'h2600;  // 9728, the most the part receives
  // The station address the part loads from its NVM into RAR[0] at reset (the model's: a
  // locally administered 02:00:00:00:00:01, the address the traffic sources send to)
  localparam logic [47:0] NvmMacAddr    = 48'h01_00_00_00_00_02;  // byte 0 in bits 7:0
  localparam int RctlSecrc = 26;
  // RXCSUM bits
  localparam int RxcsumIpofl = 8;
  localparam int RxcsumTuofl = 9;
  localparam int RxcsumPcsd  = 13;  // descriptor dword 1 carries the RSS hash
  // SRRCTL fields
  localparam int SrrctlDropEn = 31;
  // RXDCTL
  localparam int RxdctlEnable = 25;
  // TXDCTL
  localparam int TxdctlEnable = 25;
  // TCTL bits and fields; CT and COLD are kept, the MAC is full duplex (no collisions)
  localparam int TctlEn    = 1;
  localparam int TctlPsp   = 3;   // pad short packets to 64 bytes with FCS
  localparam int TctlRtlc  = 24;  // retransmit on late collision
  localparam logic [31:0] TctlCt   = 32'h0000_0FF0;
  localparam logic [31:0] TctlCold = 32'h003F_F000;
  // TIPG as the I210/QEMU reset it: IPGT 8, IPGR1 4, IPGR 6 (reference A.3)
  localparam logic [31:0] TipgReset = 32'h0060_1008;
  // GPIE bits
  localparam int GpieNsicr    = 0;
  localparam int GpieMsixMode = 4;
  localparam int GpieEiame    = 30;
  // EITR
  localparam int EitrCntIgnr  = 31;
  // IVAR entry byte: vector in bits 4:0, valid in bit 7
  localparam int IvarValid    = 7;

  // Advanced receive descriptor write-back status bits
  localparam logic [31:0] StatDD  = 32'h1;
  localparam logic [31:0] StatEOP = 32'h2;

  // Advanced transmit descriptors (Linux e1000_82575.h; reference B). Bit positions are those
  // of the descriptor's dword they live in: cmd_type_len (dword 2 of a data descriptor,
  // type_tucmd_mlhl of a context one), olinfo_status (dword 3) and mss_l4len_idx.
  localparam logic [31:0] AdvtxdDtypCtxt   = 32'h0020_0000;  // context descriptor
  localparam logic [31:0] AdvtxdDtypData   = 32'h0030_0000;  // data descriptor
  localparam int AdvtxdDcmdEop  = 24;  // end of packet
  localparam int AdvtxdDcmdIfcs = 25;  // insert FCS
  localparam int AdvtxdDcmdRs   = 27;  // report status (DD)
  localparam int AdvtxdDcmdDext = 29;  // descriptor extension (advanced format)
  localparam int AdvtxdDcmdTse  = 31;  // TCP/UDP segmentation
  localparam int AdvtxdPoptsIxsm = 8;  // olinfo_status: insert IPv4 checksum
  localparam int AdvtxdPoptsTxsm = 9;  // olinfo_status: insert L4 checksum
  localparam int AdvtxdPaylenShift = 14;  // olinfo_status 31:14
  localparam int AdvtxdMaclenShift = 9;   // vlan_macip_lens 15:9 (IPLEN is 8:0)
  localparam int AdvtxdL4lenShift  = 8;   // mss_l4len_idx 15:8
  localparam int AdvtxdMssShift    = 16;  // mss_l4len_idx 31:16
  localparam logic [31:0] AdvtxdTucmdIpv4   = 32'h0000_0400;
  localparam logic [31:0] AdvtxdTucmdL4tUdp = 32'h0000_0000;
  localparam logic [31:0] AdvtxdTucmdL4tTcp = 32'h0000_0800;
  // Transmit write-back: DD in the status (olinfo_status bit 0)
  localparam logic [31:0] TxdStatDd = 32'h0000_0001;

  // DMA tags: a descriptor read carries the tag (0..3) its completion returns with; posted
  // writes carry the transaction class so the host side can attribute them.
  localparam logic [3:0] TagDataWr   = 4'h1;
  localparam logic [3:0] TagWbWr     = 4'h2;
  // Transmit: descriptor reads carry 8 + their read slot (bit 3 says transmit), data reads
  // TagTxDataRd, descriptor write-backs TagTxWbWr
  localparam logic [3:0] TagTxWbWr   = 4'h3;
  localparam logic [3:0] TagTxDescRd = 4'h8;
  localparam logic [3:0] TagTxDataRd = 4'hC;

  // Receive buffer size in bytes from SRRCTL.BSIZEPACKET (1 KB units; 0 means 2 KB)
  function automatic logic [15:0] igb_bufsz(logic [6:0] bsize_kb);
    igb_bufsz = (bsize_kb == 7'd0) ? 16'd2048 : {bsize_kb[5:0], 10'h0};
  endfunction

  // Whether RSS picks the queue: MRQC.MRQE (bits 2:0) selects RSS (2, or 5 with VMDq)
  function automatic logic mrqc_rss_on(logic [2:0] mrqe);
    mrqc_rss_on = (mrqe == 3'd2) || (mrqe == 3'd5);
  endfunction

endpackage
