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

// Sorted values and their cumulative fraction
void write_cdf(const std::string& path, std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  std::ofstream f(path);
  for (size_t i = 0; i < v.size(); ++i)
    f << v[i] / 1000.0 << " " << static_cast<double>(i + 1) / static_cast<double>(v.size()) << "\n";
}

const char* kTerm = "set terminal pngcairo noenhanced size 1100,650 font 'DejaVu Sans,11'\n";

}  // namespace

void plot_run(const std::string& dir, const latency_sample& e2e_sample,
              const std::array<latency_sample, kSteps>& delta_samples) {
  // The CDFs are drawn from the samples kept (all of them up to latency_sample::kKeep frames)
  const std::vector<uint64_t>& e2e = e2e_sample.kept;
  std::array<std::vector<uint64_t>, kSteps> deltas;
  for (size_t i = 0; i < kSteps; ++i) deltas[i] = delta_samples[i].kept;
  const std::string p = dir + "/plots";
  fs::create_directories(p);
  // The CDF: end to end and the four steps with the largest mean
  std::vector<std::pair<double, size_t>> by_mean;
  // (the host's chain only: the NIC-side steps overlap it, see stack/journey.h)
  for (size_t i = 1; i < kSteps; ++i) {
    if (deltas[i].empty() || on_nic_chain(step(i))) continue;
    const double mean = std::accumulate(deltas[i].begin(), deltas[i].end(), 0.0) /
                        static_cast<double>(deltas[i].size());
    by_mean.emplace_back(mean, i);
  }
  std::sort(by_mean.rbegin(), by_mean.rend());
  std::ofstream gp(p + "/latency_cdf.gp");
  gp << kTerm << "set output '" << p << "/latency_cdf.png'\n"
     << "set title 'Latency CDF: wire to read() and its largest steps'\nset xlabel 'ns'\nset "
        "ylabel 'fraction of frames'\n"
     << "set logscale x\nset grid\nset key bottom right\nplot ";
  std::string sep;
  if (!e2e.empty()) {
    write_cdf(p + "/latency_cdf_end_to_end.dat", e2e);
    gp << "'" << p << "/latency_cdf_end_to_end.dat' using 1:2 with lines lw 3 title 'end to end'";
    sep = ", ";
  }
  for (size_t j = 0; j < std::min<size_t>(4, by_mean.size()); ++j) {
    const size_t i = by_mean[j].second;
    const std::string dat = fmt::format("{}/latency_cdf_{}.dat", p, step_name(step(i)));
    write_cdf(dat, deltas[i]);
    gp << sep << "'" << dat << "' using 1:2 with lines lw 2 title 'to " << step_name(step(i))
       << "'";
    sep = ", ";
  }
  gp << "\n";
  gp.close();
  // The breakdown: mean time from the previous step to each step
  {
    std::ofstream dat(p + "/latency_breakdown.dat");
    for (size_t i = 1; i < kSteps; ++i) {
      if (deltas[i].empty() || on_nic_chain(step(i))) continue;
      const double mean = std::accumulate(deltas[i].begin(), deltas[i].end(), 0.0) /
                          static_cast<double>(deltas[i].size());
      dat << "\"" << step_name(step(i)) << "\" " << mean / 1000.0 << "\n";
    }
  }
  std::ofstream gb(p + "/latency_breakdown.gp");
  gb << kTerm << "set output '" << p << "/latency_breakdown.png'\n"
     << "set title 'Mean time to each step from the one before it'\nset ylabel 'ns'\nset style "
        "fill solid 0.8\n"
     << "set boxwidth 0.7\nset xtics rotate by -40\nset grid ytics\nset logscale y\nunset key\n"
     << "plot '" << p << "/latency_breakdown.dat' using 0:2:xtic(1) with boxes\n";
  gb.close();
  if (!e2e.empty() || !by_mean.empty()) gnuplot(p + "/latency_cdf.gp");
  gnuplot(p + "/latency_breakdown.gp");
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
  for (auto& [g, rows] : groups) {
    if (numeric)
      std::sort(rows.begin(), rows.end(),
                [&](auto& a, auto& b) { return std::stod(a[ax]) < std::stod(b[ax]); });
    std::ofstream dat(fmt::format("{}/sweep_{}.dat", p, g.empty() ? "all" : g));
    for (size_t i = 0; i < rows.size(); ++i)
      dat << (numeric ? rows[i][ax] : std::to_string(i)) << " " << rows[i][col("delivered")] << " "
          << rows[i][col("dropped")] << " " << rows[i][col("irqs_per_delivered")] << " \""
          << rows[i][ax] << "\"\n";
  }
  for (const auto& [metric, idx, label] :
       {std::tuple<std::string, int, std::string>{"delivered", 2, "frames delivered to read()"},
        {"dropped", 3, "frames dropped (all counters)"},
        {"irqs_per_delivered", 4, "interrupts per delivered frame"}}) {
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
