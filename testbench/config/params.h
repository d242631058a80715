// SPDX-License-Identifier: Apache-2.0
// The scenario parameter registry: every parameter with its default, unit, meaning and the
// values it accepts. Scenario files (TOML) and --set overrides are checked against it; a bad
// key, type or value is an input_error naming the file, line, key and reason.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <toml++/toml.h>
#include <variant>
#include <vector>

namespace igbsim {

struct input_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Text from a file or the command line as one line of a message or a script comment: control
// characters shown escaped (a newline as \n, the others as \xNN)
std::string printable(const std::string& s);

// A scenario or sweep file is a few KB; anything past this limit is refused unread.
constexpr size_t kMaxScenarioBytes = 1u << 20;
// Reads a scenario or sweep file (`what` names which in messages); throws input_error for a
// folder, an unreadable file or one over kMaxScenarioBytes.
std::string read_scenario_text(const std::string& path, const char* what);
// Parses TOML text; a syntax error is an input_error naming source:line and the reason.
toml::table parse_toml(const std::string& text, const std::string& source);

using param_value = std::variant<bool, int64_t, double, std::string>;

struct run_config;

struct param_def {
  std::string key;  // table.name
  param_value def;
  std::string unit;  // "" when dimensionless
  std::string meaning;
  double min = 0, max = 0;           // numeric range (inclusive) when min < max
  std::vector<std::string> choices;  // allowed strings, when not empty
  bool number_or_choice =
      false;  // string param that also accepts a number in [min, max] (driver.itr, nic.queues)
  int64_t multiple_of = 0;   // integers: the value must be a multiple of this, when > 0
  std::string multiple_why;  // what the multiple is, for the message
  bool hidden =
      false;  // for the tests: not listed by `igbsim params`, not in scenario.toml unless set
  // The typed field this parameter sets (testbench/run_config.h), when its value maps onto one
  // directly: writes the resolved value there. Empty for the parameters configure_run derives
  // settings from by code (auto rules, part-dependent values, several fields from one value).
  std::function<void(const param_value&, run_config&)> apply;
  // A text parameter's own rule: "" when the value is good, else why not (sim.journey)
  std::function<std::string(const std::string&)> check;
};

// "; did you mean 'X'?" when `given` is a slip (one or two edits) from exactly one of `known`,
// else ""
std::string did_you_mean(const std::string& given, const std::vector<std::string>& known);

class params {
 public:
  params();
  const std::vector<param_def>& defs() const { return defs_; }
  // Load a scenario file; throws input_error.
  void load_file(const std::string& path);
  void load_string(const std::string& toml, const std::string& source_name);
  // KEY=VALUE from the command line; throws input_error.
  void set(const std::string& assignment);
  bool b(const std::string& key) const;
  int64_t i(const std::string& key) const;
  double d(const std::string& key) const;
  std::string s(const std::string& key) const;
  const param_value& value(const std::string& key) const { return values_.at(key); }
  // The resolved scenario as TOML: every parameter, with its meaning as a comment.
  std::string to_toml() const;

 private:
  const param_def& def(const std::string& key) const;
  // "WHERE: unknown key 'K'", with the key meant when K is a slip from one
  std::string unknown_key(const std::string& key, const std::string& where) const;
  void assign(const std::string& key, const param_value& v, const std::string& where);
  std::vector<param_def> defs_;
  std::map<std::string, size_t> index_;
  std::map<std::string, param_value> values_;
};

}  // namespace igbsim
