// SPDX-License-Identifier: Apache-2.0
// Running the igbsim program from a test as a user does: its exit status, standard output and
// standard error, a fresh output folder name, and the report it wrote.
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

namespace igbsim::test {

struct result {
  int status;
  std::string out, err;
};

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
