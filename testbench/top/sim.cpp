// SPDX-License-Identifier: Apache-2.0
#include "sim.h"

#include <chrono>

#include "plots.h"
#include "report.h"
#include "run_config.h"
#include "top.h"

namespace igbsim {

volatile std::sig_atomic_t stop_signal = 0;

run_outcome run_simulation(const params& p, const run_options& o) {
  const auto wall0 = std::chrono::steady_clock::now();
  const run_config c = configure_run(p);
  igbsim_top top("top", c, o);
  run_outcome out;
  out.error = top.run();
  if (!out.error.empty()) return out;
  const double wall_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  out.report = build_report(top, wall_s);
  if (o.plots) plot_run(o.outdir, top.k.jr.end_to_end(), top.k.jr.step_deltas());
  out.summary = build_summary(top, out.report, wall_s);
  out.violations = !out.report["checks"]["passed"].get<bool>();
  out.first_frame_ps = top.first_frame_ps == UINT64_MAX ? 0 : top.first_frame_ps;
  out.rx_queues = static_cast<unsigned>(c.plan.rss_queues);
  out.tx_queues =
      top.sender || top.txsb.echo() ? static_cast<unsigned>(top.adapter.num_tx_queues) : 0;
  out.interrupted_by = top.interrupted_by;
  return out;
}

}  // namespace igbsim
