// SPDX-License-Identifier: Apache-2.0
#include "plots.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace igbsim {

namespace fs = std::filesystem;

namespace {

void gnuplot(const std::string& script) {
  const std::string cmd = "gnuplot " + script + " 2>" + script + ".log";
  if (std::system(cmd.c_str()) != 0)
    throw std::runtime_error("gnuplot failed on " + script + " (see its .log)");
}

// Sorted values (ps) in us and their cumulative fraction
void write_cdf(const std::string& path, std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  std::ofstream f(path);
  for (size_t i = 0; i < v.size(); ++i)
    f << static_cast<double>(v[i]) / 1e6 << " "
      << static_cast<double>(i + 1) / static_cast<double>(v.size()) << "\n";
}

const char* kTerm = "set terminal pngcairo noenhanced size 1100,650 font 'DejaVu Sans,11'\n";

}  // namespace

void plot_run(const std::string& dir, const latency_sample& e2e_sample,
              const std::array<latency_sample, kSteps>& delta_samples, bool tcp) {
  // Drawn from the samples kept (all of them up to latency_sample::kKeep frames)
  const std::vector<uint64_t>& e2e = e2e_sample.kept;
  const std::string p = dir + "/plots";
  fs::create_directories(p);
  // The CDF of the end-to-end time alone: a step's own time (from the step before it) is not
  // on the same scale as the time from the wire, and would read as if it were
  std::ofstream gp(p + "/latency_cdf.gp");
  gp << kTerm << "set output '" << p << "/latency_cdf.png'\n"
     << "set title 'Latency CDF: wire to read()'\nset xlabel 'us (log scale)'\nset "
        "ylabel 'fraction of frames'\n"
     << "set logscale x\nset grid\nset key bottom right\n";
  if (!e2e.empty()) {
    write_cdf(p + "/latency_cdf_end_to_end.dat", e2e);
    gp << "plot '" << p << "/latency_cdf_end_to_end.dat' using 1:2 with lines lw 3 title "
       << "'wire to read()'\n";
  }
  gp.close();
  // The breakdown: one bar stacking the mean time from the previous step to each step of the
  // host's chain (the NIC-side steps overlap it, see stack/journey.h), on a linear scale, and
  // beside it the mean end to end. Each step's mean is over the frames that reached it (a
  // frame dropped on the way has its first steps only), so the stack and the end to end
  // differ by what the dropped frames' steps weigh.
  std::vector<std::pair<std::string, double>> means;
  for (size_t i = 1; i < kSteps; ++i) {
    const std::vector<uint64_t>& d = delta_samples[i].kept;
    if (d.empty() || on_nic_chain(step(i))) continue;
    means.emplace_back(step_name(step(i), tcp), std::accumulate(d.begin(), d.end(), 0.0) /
                                                    static_cast<double>(d.size()) /
                                                    1e6);  // ps to us
  }
  {
    const double e2e_mean = e2e.empty() ? 0.0
                                        : std::accumulate(e2e.begin(), e2e.end(), 0.0) /
                                              static_cast<double>(e2e.size()) / 1e6;
    std::ofstream dat(p + "/latency_breakdown.dat");
    dat << "bar";
    for (const auto& [name, mean] : means) dat << " " << name;
    dat << " end_to_end\n\"steps (mean of each)\"";
    for (const auto& [name, mean] : means) dat << " " << mean;
    dat << " 0\n\"wire to read() (mean)\"";
    for (size_t i = 0; i < means.size(); ++i) dat << " 0";
    dat << " " << e2e_mean << "\n";
  }
  std::ofstream gb(p + "/latency_breakdown.gp");
  gb << kTerm << "set output '" << p << "/latency_breakdown.png'\n"
     << "set title 'Where the time goes: mean time to each step from the one before it'\n"
     << "set ylabel 'us'\nset style data histograms\nset style histogram rowstacked\n"
     << "set style fill solid 0.85 border -1\nset boxwidth 0.4\nset grid ytics\n"
     << "set key outside right reverse Left\nset yrange [0:*]\n";
  // A colour of its own for each step (gnuplot's default cycle repeats after 8), grey for the
  // end to end
  gb << "colors = '#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #bcbd22 #17becf "
        "#393b79 #637939 #8c6d31 #843c39 #7b4173 #3182bd #e6550d #31a354'\n";
  if (!means.empty())
    gb << "plot for [i=2:" << means.size() + 2 << "] '" << p
       << "/latency_breakdown.dat' using i:xtic(1) title columnheader(i) lc rgb (i == "
       << means.size() + 2 << " ? '#888888' : word(colors, i - 1))\n";
  gb.close();
  if (!e2e.empty()) gnuplot(p + "/latency_cdf.gp");
  if (!means.empty()) gnuplot(p + "/latency_breakdown.gp");
}

void plot_sweep(const std::string& dir) {
  std::ifstream in(dir + "/sweep.csv");
  std::string line;
  std::getline(in, line);
  std::vector<std::string> head;
  {
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, ',')) head.push_back(x);
  }
  const auto col = [&](const std::string& n) {
    return static_cast<size_t>(std::find(head.begin(), head.end(), n) - head.begin());
  };
  const size_t first_metric = col("offered");
  if (first_metric < 3) return;  // no axis
  std::vector<std::vector<std::string>> all;
  while (std::getline(in, line)) {
    std::vector<std::string> v;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, ',')) v.push_back(x);
    // A row without its figures (a point with no result) is left out; the echo columns
    // after wall_s are empty for a run without an echo server
    if (v.size() <= col("wall_s") || v[col("status")] == "failed") continue;
    v.resize(head.size());
    all.push_back(v);
  }
  auto is_numeric = [&](size_t c) {
    for (const auto& r : all) {
      char* end = nullptr;
      std::strtod(r[c].c_str(), &end);
      if (r[c].empty() || !end || *end != 0) return false;
    }
    return true;
  };
  // x: the first numeric axis (else the first axis); one line per value of another axis
  size_t ax = 2;
  for (size_t c = 2; c < first_metric; ++c)
    if (is_numeric(c)) {
      ax = c;
      break;
    }
  size_t series = SIZE_MAX;
  for (size_t c = 2; c < first_metric && series == SIZE_MAX; ++c)
    if (c != ax) series = c;
  const bool numeric = is_numeric(ax);
  std::map<std::string, std::vector<std::vector<std::string>>> groups;
  for (auto& v : all) groups[series == SIZE_MAX ? std::string("") : v[series]].push_back(v);
  const std::string p = dir + "/plots";
  fs::create_directories(p);
  // ns in sweep.csv to us on the plot; an empty cell (a point that received nothing) is NaN,
  // which gnuplot leaves out
  const auto us = [](const std::string& ns) {
    return ns.empty() ? std::string("NaN") : fmt::format("{:.3f}", std::stod(ns) / 1000.0);
  };
  for (auto& [g, rows] : groups) {
    if (numeric)
      std::sort(rows.begin(), rows.end(),
                [&](auto& a, auto& b) { return std::stod(a[ax]) < std::stod(b[ax]); });
    std::ofstream dat(fmt::format("{}/sweep_{}.dat", p, g.empty() ? "all" : g));
    for (size_t i = 0; i < rows.size(); ++i)
      dat << (numeric ? rows[i][ax] : std::to_string(i)) << " " << rows[i][col("delivered")] << " "
          << rows[i][col("dropped")] << " " << rows[i][col("irqs_per_delivered")] << " \""
          << rows[i][ax] << "\" " << us(rows[i][col("latency_p50_ns")]) << " "
          << us(rows[i][col("latency_p99_ns")]) << "\n";
  }
  for (const auto& [metric, idx, label] :
       {std::tuple<std::string, int, std::string>{"delivered", 2, "frames delivered to read()"},
        {"dropped", 3, "frames dropped (all counters)"},
        {"irqs_per_delivered", 4, "interrupts per delivered frame"},
        {"latency_p50", 6, "latency wire to read(), p50 (us)"},
        {"latency_p99", 7, "latency wire to read(), p99 (us)"}}) {
    // No point received anything: no latency to draw (gnuplot refuses a plot without points)
    const std::string column = idx == 6 ? "latency_p50_ns" : idx == 7 ? "latency_p99_ns" : "";
    if (!column.empty() && std::all_of(all.begin(), all.end(),
                                       [&](const auto& row) { return row[col(column)].empty(); }))
      continue;
    std::ofstream gp(fmt::format("{}/sweep_{}.gp", p, metric));
    gp << kTerm << "set output '" << p << "/sweep_" << metric << ".png'\n"
       << "set title '" << label << " against " << head[ax] << "'\nset xlabel '" << head[ax]
       << "'\nset ylabel '" << label << "'\nset grid\nset key outside right\nplot ";
    std::string sep;
    for (const auto& [g, rows] : groups) {
      (void)rows;
      gp << sep << "'" << p << "/sweep_" << (g.empty() ? "all" : g) << ".dat' using 1:" << idx
         << (numeric ? "" : ":xtic(5)") << " with linespoints lw 2 pt 7 title '"
         << (g.empty() ? head[ax] : head[series] + " = " + g) << "'";
      sep = ", ";
    }
    gp << "\n";
    gp.close();
    gnuplot(fmt::format("{}/sweep_{}.gp", p, metric));
  }
}

}  // namespace igbsim
