// SPDX-License-Identifier: Apache-2.0
// igb_sw_probe: carries the software model's state into the waveform. It has no logic: its
// inputs are driven by the C++ kernel model whenever that state changes, and the Verilated
// model is traced into the same FST as the NIC, under the scope `sw`. Enumerated states are
// typed so that GTKWave can show them by name. Per receive queue n (0..7): napiN_* is the
// NAPI instance of the queue's q_vector, rxN_* the driver's view of the queue's ring. Per
// transmit queue n (0..7): txN_* igb's view of its TX ring, txqN_* the kernel's netdev_queue
// (stop state, BQL) and its qdisc.
`default_nettype none

`define IGB_SW_QUEUE_PORTS(n) \
  input  wire logic [1:0]  napi``n``_state_i,       /* 0 idle, 1 scheduled, 2 polling */ \
  input  wire logic        napi``n``_missed_i, \
  input  wire logic [15:0] napi``n``_budget_left_i, /* of the current igb_poll */ \
  input  wire logic [15:0] napi``n``_work_done_i, \
  input  wire logic [15:0] rx``n``_next_to_clean_i, \
  input  wire logic [15:0] rx``n``_next_to_use_i, \
  input  wire logic [15:0] rx``n``_dd_visible_i,    /* last descriptor whose DD is visible */ \
  input  wire logic [15:0] rx``n``_desc_read_i,     /* descriptor the driver just read */ \
  input  wire logic        rx``n``_desc_read_stb_i, /* toggles on every descriptor read */

`define IGB_SW_TXQ_PORTS(n) \
  input  wire logic [15:0] tx``n``_next_to_use_i, \
  input  wire logic [15:0] tx``n``_next_to_clean_i, \
  input  wire logic [1:0]  txq``n``_state_i,        /* 0 running, 1/2 DRV/STACK_XOFF, 3 */ \
  input  wire logic [31:0] txq``n``_bql_inflight_i, /* bytes */ \
  input  wire logic [31:0] txq``n``_bql_limit_i,    /* bytes */ \
  input  wire logic [15:0] txq``n``_backlog_i,      /* qdisc packets */

`define IGB_SW_TXQ_STATE(n) \
  txq_e txq``n``_state; \
  assign txq``n``_state = txq_e'(txq``n``_state_i);

`define IGB_SW_QUEUE_STATE(n) \
  napi_e napi``n``_state; \
  assign napi``n``_state = napi_e'(napi``n``_state_i);

module igb_sw_probe (
  `IGB_SW_QUEUE_PORTS(0)
  `IGB_SW_QUEUE_PORTS(1)
  `IGB_SW_QUEUE_PORTS(2)
  `IGB_SW_QUEUE_PORTS(3)
  `IGB_SW_QUEUE_PORTS(4)
  `IGB_SW_QUEUE_PORTS(5)
  `IGB_SW_QUEUE_PORTS(6)
  `IGB_SW_QUEUE_PORTS(7)
  `IGB_SW_TXQ_PORTS(0)
  `IGB_SW_TXQ_PORTS(1)
  `IGB_SW_TXQ_PORTS(2)
  `IGB_SW_TXQ_PORTS(3)
  `IGB_SW_TXQ_PORTS(4)
  `IGB_SW_TXQ_PORTS(5)
  `IGB_SW_TXQ_PORTS(6)
  `IGB_SW_TXQ_PORTS(7)
  // Per core n (0..7): 0 idle, 1 process, 2 softirq, 3 hardirq
  input  wire logic [1:0]  core0_ctx_i,
  input  wire logic [1:0]  core1_ctx_i,
  input  wire logic [1:0]  core2_ctx_i,
  input  wire logic [1:0]  core3_ctx_i,
  input  wire logic [1:0]  core4_ctx_i,
  input  wire logic [1:0]  core5_ctx_i,
  input  wire logic [1:0]  core6_ctx_i,
  input  wire logic [1:0]  core7_ctx_i,
  input  wire logic [15:0] softirq_budget_left_i,
  input  wire logic [15:0] sock0_rxq_len_i,
  input  wire logic [15:0] ep0_ready_len_i,
  input  wire logic [1:0]  task0_state_i,        // 0 running, 1 runnable, 2 interruptible
  // Per core n (0..7): its ksoftirqd/n task, encoded as task0_state_i
  input  wire logic [1:0]  ksoftirqd0_state_i,
  input  wire logic [1:0]  ksoftirqd1_state_i,
  input  wire logic [1:0]  ksoftirqd2_state_i,
  input  wire logic [1:0]  ksoftirqd3_state_i,
  input  wire logic [1:0]  ksoftirqd4_state_i,
  input  wire logic [1:0]  ksoftirqd5_state_i,
  input  wire logic [1:0]  ksoftirqd6_state_i,
  input  wire logic [1:0]  ksoftirqd7_state_i
);
  typedef enum logic [1:0] {CtxIdle, CtxProcess, CtxSoftirq, CtxHardirq} ctx_e;
  typedef enum logic [1:0] {NapiIdle, NapiScheduled, NapiPolling, NapiDisabled} napi_e;
  typedef enum logic [1:0] {TaskRunning, TaskRunnable, TaskInterruptible, TaskDead} task_e;
  typedef enum logic [1:0] {TxqRunning, TxqDrvXoff, TxqStackXoff, TxqBothXoff} txq_e;

  ctx_e  core0_ctx, core1_ctx, core2_ctx, core3_ctx, core4_ctx, core5_ctx, core6_ctx, core7_ctx;
  task_e task0_state;
  assign core0_ctx   = ctx_e'(core0_ctx_i);
  assign core1_ctx   = ctx_e'(core1_ctx_i);
  assign core2_ctx   = ctx_e'(core2_ctx_i);
  assign core3_ctx   = ctx_e'(core3_ctx_i);
  assign core4_ctx   = ctx_e'(core4_ctx_i);
  assign core5_ctx   = ctx_e'(core5_ctx_i);
  assign core6_ctx   = ctx_e'(core6_ctx_i);
  assign core7_ctx   = ctx_e'(core7_ctx_i);
  assign task0_state = task_e'(task0_state_i);
  task_e ksoftirqd0_state, ksoftirqd1_state, ksoftirqd2_state, ksoftirqd3_state,
         ksoftirqd4_state, ksoftirqd5_state, ksoftirqd6_state, ksoftirqd7_state;
  assign ksoftirqd0_state = task_e'(ksoftirqd0_state_i);
  assign ksoftirqd1_state = task_e'(ksoftirqd1_state_i);
  assign ksoftirqd2_state = task_e'(ksoftirqd2_state_i);
  assign ksoftirqd3_state = task_e'(ksoftirqd3_state_i);
  assign ksoftirqd4_state = task_e'(ksoftirqd4_state_i);
  assign ksoftirqd5_state = task_e'(ksoftirqd5_state_i);
  assign ksoftirqd6_state = task_e'(ksoftirqd6_state_i);
  assign ksoftirqd7_state = task_e'(ksoftirqd7_state_i);
  `IGB_SW_QUEUE_STATE(0)
  `IGB_SW_QUEUE_STATE(1)
  `IGB_SW_QUEUE_STATE(2)
  `IGB_SW_QUEUE_STATE(3)
  `IGB_SW_QUEUE_STATE(4)
  `IGB_SW_QUEUE_STATE(5)
  `IGB_SW_QUEUE_STATE(6)
  `IGB_SW_QUEUE_STATE(7)
  `IGB_SW_TXQ_STATE(0)
  `IGB_SW_TXQ_STATE(1)
  `IGB_SW_TXQ_STATE(2)
  `IGB_SW_TXQ_STATE(3)
  `IGB_SW_TXQ_STATE(4)
  `IGB_SW_TXQ_STATE(5)
  `IGB_SW_TXQ_STATE(6)
  `IGB_SW_TXQ_STATE(7)
endmodule
