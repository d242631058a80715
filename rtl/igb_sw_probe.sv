// igb_sw_probe: carries the software model's state into the waveform. It has no logic: its
// inputs are driven by the C++ kernel model whenever that state changes, and the Verilated
// model is traced into the same FST as the NIC, under the scope `sw`. Enumerated states are
// typed so that GTKWave can show them by name.
`default_nettype none

module igb_sw_probe (
  input  wire logic [1:0]  core0_ctx_i,          // 0 idle, 1 process, 2 softirq, 3 hardirq
  input  wire logic [1:0]  napi0_state_i,        // 0 idle, 1 scheduled, 2 polling
  input  wire logic        napi0_missed_i,
  input  wire logic [15:0] napi0_budget_left_i,  // of the current igb_poll
  input  wire logic [15:0] napi0_work_done_i,
  input  wire logic [15:0] rx0_next_to_clean_i,
  input  wire logic [15:0] rx0_next_to_use_i,
  input  wire logic [15:0] rx0_desc_read_i,      // index of the descriptor the driver just read
  input  wire logic        rx0_desc_read_stb_i,  // toggles on every descriptor read
  input  wire logic [15:0] softirq_budget_left_i,
  input  wire logic [15:0] sock0_rxq_len_i,
  input  wire logic [15:0] ep0_ready_len_i,
  input  wire logic [1:0]  task0_state_i         // 0 running, 1 runnable, 2 interruptible
);
  typedef enum logic [1:0] {CtxIdle, CtxProcess, CtxSoftirq, CtxHardirq} ctx_e;
  typedef enum logic [1:0] {NapiIdle, NapiScheduled, NapiPolling, NapiDisabled} napi_e;
  typedef enum logic [1:0] {TaskRunning, TaskRunnable, TaskInterruptible, TaskDead} task_e;

  ctx_e  core0_ctx;
  napi_e napi0_state;
  task_e task0_state;
  assign core0_ctx   = ctx_e'(core0_ctx_i);
  assign napi0_state = napi_e'(napi0_state_i);
  assign task0_state = task_e'(task0_state_i);
endmodule
