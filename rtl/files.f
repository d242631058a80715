// The NIC's RTL, top igb_nic, in compile order (the package first): the one list CMake
// (CMakeLists.txt), the RTL testbench (testbench/rtl_tb/run.sh), synthesis (scripts/synth.sh)
// and `make lint` read. One path a line, relative to the repository root; lines starting with
// // are comments (Verilator's -f reads it as it is). igb_sw_probe.sv is a top of its own.
rtl/igb_pkg.sv
rtl/igb_regs.sv
rtl/igb_rx_pktbuf.sv
rtl/igb_rx_desc_cache.sv
rtl/igb_rx_dma.sv
rtl/igb_tx_desc_cache.sv
rtl/igb_tx_dma.sv
rtl/igb_tx_pktbuf.sv
rtl/igb_tx_offload.sv
rtl/igb_tx_mac.sv
rtl/igb_skid.sv
rtl/igb_dma_arb.sv
rtl/igb_intr.sv
rtl/igb_rx_csum.sv
rtl/igb_rss.sv
rtl/igb_fc.sv
rtl/igb_nic.sv
