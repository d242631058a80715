// SPDX-License-Identifier: Apache-2.0
#include "look_at.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "human_time.h"

namespace igbsim {

using nlohmann::json;

namespace {

std::vector<std::string> split_paths(const std::string& paths) {
  std::vector<std::string> v;
  std::stringstream ss(paths);
  for (std::string p; std::getline(ss, p, ',');) {
    p.erase(0, p.find_first_not_of(" \t"));
    p.erase(p.find_last_not_of(" \t") + 1);
    v.push_back(p);
  }
  return v;
}

bool ends_with(const std::string& s, const char* tail) {
  const std::string t(tail);
  return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
}

// The path's keys, indices left out ("cpu[0].hardirq_ns": cpu, hardirq_ns)
std::vector<std::string> keys_of(const std::string& path) {
  std::vector<std::string> v;
  std::stringstream ss(path);
  for (std::string k; std::getline(ss, k, '.');) v.push_back(k.substr(0, k.find('[')));
  return v;
}

// A figure's unit from its path: "ns" or "us" when it is a time, else "". The key that names
// it says (hardirq_ns, itr_us); a key that only labels (a vector's or queue's name, "rx-0")
// takes its parent's, and a labelled object's key ends "_by_vector" or "_by_queue"
// (itr_us_by_vector). Under latency_ns every figure but count and percentiles_from is ns.
std::string unit_of(const std::string& path) {
  const std::vector<std::string> keys = keys_of(path);
  if (keys.size() >= 2 && keys[0] == "latency_ns")
    return keys.back() == "count" || keys.back() == "percentiles_from" ? "" : "ns";
  for (size_t i = keys.size(); i-- > 0;) {
    std::string k = keys[i];
    for (const char* by : {"_by_vector", "_by_queue"})
      if (ends_with(k, by)) k.erase(k.size() - std::string(by).size());
    if (ends_with(k, "_ns")) return "ns";
    if (ends_with(k, "_us")) return "us";
    if (k.find('-') == std::string::npos) return "";  // a counter's own name: no time
  }
  return "";
}

json at(const json& j, const std::string& path) {
  if (path.empty()) return j;
  if (path[0] == '[') {
    const size_t close = path.find(']');
    const std::string index = path.substr(1, close - 1);
    std::string rest = path.substr(close + 1);
    if (!rest.empty() && rest[0] == '.') rest.erase(0, 1);
    if (!j.is_array()) return nullptr;
    if (index == "*") {
      json out = json::array();
      for (const auto& e : j) out.push_back(at(e, rest));
      return out;
    }
    const size_t n = std::stoul(index);
    return n < j.size() ? at(j[n], rest) : json(nullptr);
  }
  const size_t end = path.find_first_of(".[");
  const std::string key = path.substr(0, end);
  std::string rest = end == std::string::npos ? "" : path.substr(end);
  if (!rest.empty() && rest[0] == '.') rest.erase(0, 1);
  if (!j.is_object()) return nullptr;
  const size_t star = key.find('*');
  if (star != std::string::npos) {  // every key that matches, as an object
    const std::string head = key.substr(0, star), tail = key.substr(star + 1);
    json out = json::object();
    for (const auto& [k, e] : j.items())
      if (k.size() >= head.size() + tail.size() && k.compare(0, head.size(), head) == 0 &&
          ends_with(k, tail.c_str()))
        out[k] = at(e, rest);
    return out.empty() ? json(nullptr) : out;
  }
  if (!j.contains(key)) return nullptr;
  return at(j[key], rest);
}

std::string number(double x) {
  if (x == std::floor(x) && std::fabs(x) < 1e15) return fmt::format("{:.0f}", x);
  return std::fabs(x) >= 100 ? fmt::format("{:.0f}", x) : fmt::format("{:.3g}", x);
}

}  // namespace

std::string look_at_check(const std::string& paths) {
  if (paths.find_first_not_of(" \t") == std::string::npos) return "";  // none
  for (const std::string& p : split_paths(paths)) {
    if (p.empty()) return "an empty path (paths are comma-separated)";
    const char* bad = "'{}' is not a report.json path (keys joined by '.', [N] or [*] for an "
                      "array's elements: cpu[0].hardirq_ns)";
    if (p.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.[]*") !=
            std::string::npos ||
        p[0] == '.' || p[0] == '[' || p.back() == '.' || p.find("..") != std::string::npos)
      return fmt::format(bad, p);
    for (size_t i = p.find('['); i != std::string::npos; i = p.find('[', i + 1)) {
      const size_t close = p.find(']', i);
      const std::string index = close == std::string::npos ? "" : p.substr(i + 1, close - i - 1);
      if (index.empty() ||
          (index != "*" && index.find_first_not_of("0123456789") != std::string::npos) ||
          index.size() > 9 || (close + 1 < p.size() && p[close + 1] != '.' && p[close + 1] != '['))
        return fmt::format(bad, p);
    }
    if (p.find(']') != std::string::npos &&
        std::count(p.begin(), p.end(), '[') != std::count(p.begin(), p.end(), ']'))
      return fmt::format(bad, p);
  }
  return "";
}

json look_at_value(const json& report, const std::string& path) {
  json v = at(report, path);
  const std::string counters = "checks.dropped_by.";
  if (v.is_null() && path.compare(0, counters.size(), counters) == 0 &&
      path.find_first_of(".[", counters.size()) == std::string::npos && report.contains("checks") &&
      report["checks"].contains("dropped_by"))
    return 0;  // a drop counter that never counted
  return v;
}

std::string look_at_shown(const json& v, const std::string& path) {
  if (v.is_null()) return "-";
  if (v.is_array()) {
    std::string s;
    for (const auto& e : v) s += (s.empty() ? "" : " ") + look_at_shown(e, path);
    return "[" + s + "]";
  }
  if (v.is_object()) {
    std::string s;
    for (const auto& [k, e] : v.items())
      s += (s.empty() ? "" : ", ") + k + " " + look_at_shown(e, path + "." + k);
    return "{" + s + "}";
  }
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_string()) return v.get<std::string>();
  const double x = v.get<double>();
  const std::string unit = x == 0 ? "" : unit_of(path);
  if (unit == "ns") return human_time(x);
  if (unit == "us") return human_time(x * 1e3);
  return number(x);
}

std::string look_at_line(const json& report, const std::string& paths) {
  if (paths.find_first_not_of(" \t") == std::string::npos) return "";
  std::string s;
  for (const std::string& p : split_paths(paths))
    s += fmt::format("{}{} {}", s.empty() ? "" : ", ", p,
                     look_at_shown(look_at_value(report, p), p));
  return "  look at    " + s + "\n";
}

}  // namespace igbsim
