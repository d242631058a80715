#include "kernel.h"

#include "wave_tracer.h"

namespace igbsim {

kernel::kernel(const kernel_params& p, const cost_table& c) : params(p), cost(c) {
  for (int i = 0; i < p.cores; ++i) cores_.push_back(std::make_unique<cpu_core>(*this, i));
  netif_napi_add(*this, &sd.backlog, process_backlog, weight_p);
  sd.backlog.index = kNoQueue;
}

kernel::~kernel() = default;

void kernel::probe(sw_sig s, uint32_t v, unsigned queue) {
  if (!tracer_ || !tracer_->enabled()) return;
  const sc_core::sc_time t = this_cpu().now();
  tracer_->sw_set(t.value() / sc_core::sc_time(1, sc_core::SC_PS).value(), s, v, queue);
}

void kernel::violate(const std::string& kind, const std::string& detail, int64_t frame) {
  const sc_core::sc_time t = this_cpu().now();
  violations_.push_back({t.value() / sc_core::sc_time(1, sc_core::SC_PS).value(), kind, detail, frame});
}

}  // namespace igbsim
