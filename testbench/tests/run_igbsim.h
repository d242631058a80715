// SPDX-License-Identifier: Apache-2.0
// Running the igbsim program from a test as a user does: its exit status, standard output and
// standard error, a fresh output folder name, and the report it wrote; reading a file it
// wrote whole, or as CSV rows.
#pragma once
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace igbsim::test {

struct result {
  int status;
  std::string out, err;
};

// A file's bytes ("" when it cannot be read)
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A CSV file's rows, each split at commas (a trailing comma ends in an empty field)
inline std::vector<std::vector<std::string>> load_csv(const std::filesystem::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream f(p);
  for (std::string l; std::getline(f, l);) {
    std::vector<std::string> row;
    std::istringstream ls(l);
    for (std::string x; std::getline(ls, x, ',');) row.push_back(x);
    if (!l.empty() && l.back() == ',') row.emplace_back();
    rows.push_back(row);
  }
  return rows;
}

inline result run_igbsim(const std::string& args) {
  const std::string errf =
      std::filesystem::temp_directory_path() / ("igbsim-err-" + std::to_string(::getpid()));
  const std::string cmd = std::string(IGBSIM_BINARY) + " " + args + " 2>" + errf;
  result r{};
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream e(errf);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  std::filesystem::remove(errf);
  return r;
}

inline std::string fresh_dir(const std::string& name) {
  const std::filesystem::path d = std::filesystem::temp_directory_path() /
                                  ("igbsim-test-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(d);
  return d.string();
}

inline nlohmann::json load_report(const std::string& dir) {
  std::ifstream f(dir + "/report.json");
  return nlohmann::json::parse(f);
}

}  // namespace igbsim::test
