// SPDX-License-Identifier: Apache-2.0
// The program's outside as a user meets it: output folders (nothing of the user's is ever
// replaced, one run per folder at a time, an interrupted run leaves a marked partial result),
// and hostile command lines and files (one line, exit 2, nothing written).
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <regex>
#include <sstream>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "human_time.h"
#include "run_igbsim.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace igbsim::test;

namespace {

// A folder of the user's: two files and a sub-folder.
fs::path users_folder(const std::string& name) {
  const fs::path d = fresh_dir(name);
  fs::create_directories(d / "sub");
  std::ofstream(d / "thesis.tex") << "years of work\n";
  std::ofstream(d / "sub" / "data.csv") << "1,2,3\n";
  return d;
}

void expect_untouched(const fs::path& d) {
  EXPECT_EQ(read_file(d / "thesis.tex"), "years of work\n");
  EXPECT_EQ(read_file(d / "sub" / "data.csv"), "1,2,3\n");
}

void expect_refused(const result& r, const std::string& what) {
  EXPECT_EQ(r.status, 2) << what << ": " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what << ": " << r.err;
}

// Each `--set KEY=VALUE` (quoted for the shell) refused so, its line holding the message given,
// and nothing written to d
void expect_sets_refused(const fs::path& d,
                         const std::vector<std::pair<std::string, std::string>>& cases) {
  for (const auto& [set, says] : cases) {
    const result r = run_igbsim("run --set '" + set + "' --out " + d.string());
    expect_refused(r, set);
    EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d)) << set;
  }
}

// Starts igbsim in the background; returns its PID.
pid_t spawn_igbsim(const std::vector<std::string>& args, const fs::path& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (std::FILE* f = std::freopen(log.c_str(), "w", stdout)) (void)f;
    ::dup2(STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> argv{const_cast<char*>(IGBSIM_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(IGBSIM_BINARY, argv.data());
    std::_Exit(127);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

bool wait_for(const std::function<bool()>& cond, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

// A run long enough to be caught in the middle (a few seconds of wall time).
const std::vector<std::string> kLongRun = {
    "run", "--quiet", "--set", "traffic.frames=3000000", "--set", "traffic.rate_pct=100"};

}  // namespace

TEST(OutputFolder, AUsersFolderOrFileIsRefusedAndKeptWhateverTheSpelling) {
  const fs::path mine = users_folder("mine");
  expect_refused(run_igbsim("run --set traffic.frames=5 --out " + mine.string()),
                 "a user's folder");
  expect_untouched(mine);
  expect_refused(run_igbsim("run --set traffic.frames=5 --out " + mine.string() + "/"),
                 "a trailing slash");
  expect_untouched(mine);
  expect_refused(run_igbsim("run --set traffic.frames=5 --out " + mine.string() + "/sub/.."),
                 "a dotted path");
  expect_untouched(mine);
  const fs::path notes = mine / "notes.txt";
  std::ofstream(notes) << "keep me\n";
  const result r = run_igbsim("run --set traffic.frames=5 --out " + notes.string());
  expect_refused(r, "a file");
  EXPECT_NE(r.err.find(notes.string()), std::string::npos)
      << "the message names the path: " << r.err;
  EXPECT_EQ(read_file(notes), "keep me\n");
  fs::remove_all(mine);
}

TEST(OutputFolder, TheWorkingFolderAndItsParentsAreRefused) {
  const fs::path mine = users_folder("cwd");
  for (const char* out : {".", "..", "./", "sub/..", "/"}) {
    const std::string cmd =
        fmt::format("cd {} && {} run --set traffic.frames=5 --out {} >/dev/null 2>&1",
                    mine.string(), IGBSIM_BINARY, out);
    const int st = std::system(cmd.c_str());
    EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 2) << "--out " << out;
    expect_untouched(mine);
  }
  fs::remove_all(mine);
}

TEST(OutputFolder, AScenarioNamedDotDotWritesItsOwnFolderUnderOut) {
  const fs::path d = users_folder("dotdot");
  fs::create_directories(d / "out" / "other");
  std::ofstream(d / "out" / "other" / "keep.txt") << "x\n";
  std::ofstream(d / "..toml") << "[traffic]\nframes = 5\n";
  const std::string cmd =
      fmt::format("cd {} && {} run ..toml --quiet >/dev/null 2>&1", d.string(), IGBSIM_BINARY);
  const int st = std::system(cmd.c_str());
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  EXPECT_EQ(read_file(d / "out" / "other" / "keep.txt"), "x\n");
  EXPECT_TRUE(fs::exists(d / "out" / "scenario" / "report.json"));
  expect_untouched(d);
  fs::remove_all(d);
}

TEST(OutputFolder, AnEmptyFolderOrAnEarlierRunIsReplacedAndMarked) {
  const fs::path d = fresh_dir("replace");
  fs::create_directories(d);
  ASSERT_EQ(run_igbsim("run --quiet --set traffic.frames=5 --out " + d.string()).status, 0)
      << "an empty folder is taken";
  EXPECT_TRUE(fs::exists(d / ".igbsim"));
  EXPECT_EQ(load_report(d.string())["checks"]["offered"], 5);
  const result again = run_igbsim("run --quiet --set traffic.frames=7 --out " + d.string());
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(load_report(d.string())["checks"]["offered"], 7)
      << "the earlier run of ours is replaced";
  // A run made before the marker existed is recognised by its report's schema
  fs::remove(d / ".igbsim");
  ASSERT_EQ(run_igbsim("run --quiet --set traffic.frames=6 --out " + d.string()).status, 0);
  EXPECT_EQ(load_report(d.string())["checks"]["offered"], 6);
  // Nothing is left beside it
  for (const auto& e : fs::directory_iterator(d.parent_path()))
    EXPECT_EQ(e.path().filename().string().find(d.filename().string() + ".tmp"), std::string::npos)
        << e.path();
  EXPECT_FALSE(fs::exists(d.parent_path() / ("." + d.filename().string() + ".igbsim-lock")));
  fs::remove_all(d);
}

// A result of ours is replaced only while it holds nothing but what igbsim wrote: a user's
// notes beside it, or a copied report.json in a folder of the user's analysis, are not ours.
// Nor does a run replace a sweep's folder, or a sweep a run's.
TEST(OutputFolder, AnEarlierResultHoldingAUsersFileOrOfTheOtherKindIsRefusedAndKept) {
  const fs::path d = fresh_dir("foreign");
  ASSERT_EQ(run_igbsim("run --quiet --set traffic.frames=5 --out " + d.string()).status, 0);
  std::ofstream(d / "notes.md") << "what I saw\n";
  const result r = run_igbsim("run --quiet --set traffic.frames=7 --out " + d.string());
  expect_refused(r, "a user's file in an earlier result");
  EXPECT_NE(r.err.find("notes.md"), std::string::npos) << "the message names the file: " << r.err;
  EXPECT_EQ(read_file(d / "notes.md"), "what I saw\n");
  EXPECT_EQ(load_report(d.string())["checks"]["offered"], 5) << "the earlier result is kept";
  fs::remove(d / "notes.md");
  ASSERT_EQ(run_igbsim("run --quiet --set traffic.frames=7 --out " + d.string()).status, 0)
      << "once it is moved out";

  const fs::path a = users_folder("analysis");
  fs::copy_file(d / "report.json", a / "report.json");
  expect_refused(run_igbsim("run --quiet --set traffic.frames=5 --out " + a.string()),
                 "a copied report.json");
  expect_untouched(a);

  const fs::path sweep = fresh_dir("foreign-sweep");
  std::ofstream(sweep.string() + ".toml") << "[axes]\n\"traffic.frames\" = [3, 4]\n";
  ASSERT_EQ(run_igbsim("sweep " + sweep.string() + ".toml --jobs 1 --out " + sweep.string()).status,
            0);
  const result over = run_igbsim("run --quiet --set traffic.frames=5 --out " + sweep.string());
  expect_refused(over, "a run into a sweep's folder");
  EXPECT_NE(over.err.find("sweep"), std::string::npos) << over.err;
  EXPECT_TRUE(fs::exists(fs::path(sweep) / "point-001"));
  expect_refused(run_igbsim("sweep " + sweep.string() + ".toml --jobs 1 --out " + d.string()),
                 "a sweep into a run's folder");
  EXPECT_EQ(load_report(d.string())["checks"]["offered"], 7);
  for (const fs::path& p : {d, a, sweep}) fs::remove_all(p);
  fs::remove(sweep.string() + ".toml");
}

// A refusal leaves no lock file behind (beside the target or inside a user's folder); a
// result the user named like a temporary (NAME.tmp.PID, that PID gone) is no stale temporary;
// sweep --merge writes only into a sweep's own folder.
TEST(OutputFolder, NothingIsLeftBesideARefusedTargetOrTakenFromASiblingOrAUsersFolder) {
  const fs::path mine = users_folder("refused-lock");
  expect_refused(run_igbsim("run --quiet --set traffic.frames=5 --out " + mine.string()),
                 "a user's folder");
  expect_refused(
      run_igbsim("run --quiet --set traffic.frames=5 --out " + (mine / "thesis.tex").string()),
      "a file");
  EXPECT_FALSE(fs::exists(mine.parent_path() / ("." + mine.filename().string() + ".igbsim-lock")));
  EXPECT_FALSE(fs::exists(mine / ".thesis.tex.igbsim-lock"))
      << "nothing written into the user's folder";

  const fs::path exp = fresh_dir("sibling");
  const std::string named = exp.string() + ".tmp.999999999";  // no such process
  ASSERT_EQ(run_igbsim("run --quiet --set traffic.frames=5 --out " + named).status, 0);
  ASSERT_EQ(run_igbsim("run --quiet --set traffic.frames=5 --out " + exp.string()).status, 0);
  EXPECT_EQ(load_report(named)["checks"]["offered"], 5)
      << "the user's result named like a temporary is kept";

  std::ofstream(mine / "points.json") << "[{\"point\": 0}]\n";
  std::ofstream(mine / "sweep.csv") << "my own table\n";
  expect_refused(run_igbsim("sweep --merge " + mine.string()), "--merge into a user's folder");
  EXPECT_EQ(read_file(mine / "sweep.csv"), "my own table\n");
  EXPECT_FALSE(fs::exists(mine / "plots"));
  expect_untouched(mine);
  for (const fs::path& p : {mine, exp, fs::path(named)}) fs::remove_all(p);
}

// A stop signal in lockstep while a core spends a simulated second in one softirq: the NIC,
// catching up with that core inside one advance, ticked the second's idle cycles one by one
// before anything could see the signal, minutes of wall time; a stopped run skips them
// instead. A minute is the bound here (it stops in about two seconds; it took over two
// minutes before), and the run's end is past the softirq's second: the stop came in it.
TEST(OutputFolder, AStopSignalEndsALockstepRunInALongIdleStretch) {
  const fs::path d = fresh_dir("interrupted-lockstep");
  const pid_t pid = spawn_igbsim({"run", "--quiet", "--set", "sim.lockstep=true", "--set",
                                  "cost.softirq_entry_ns=1e9", "--out", d.string()},
                                 d.string() + ".log");
  const fs::path tmp = d.string() + ".tmp." + std::to_string(pid);
  ASSERT_TRUE(wait_for([&] { return fs::exists(tmp); }, 60));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // into the first softirq's second
  ::kill(pid, SIGTERM);
  int st = 0;
  const bool ended = wait_for([&] { return ::waitpid(pid, &st, WNOHANG) == pid; }, 60);
  if (!ended) {
    ::kill(pid, SIGKILL);
    wait_status(pid);
  }
  ASSERT_TRUE(ended) << "still running a minute after SIGTERM";
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM);
  const json r = load_report(d.string());
  EXPECT_EQ(r["complete"], false);
  EXPECT_GE(r["sim"]["sim_time_ns"].get<double>(), 1e9);
  fs::remove_all(d);
  fs::remove(d.string() + ".log");
}

TEST(OutputFolder, ASecondRunIntoTheSameFolderIsRefusedWithThePidOfTheFirst) {
  const fs::path d = fresh_dir("busy");
  std::vector<std::string> args = kLongRun;
  args.insert(args.end(), {"--out", d.string()});
  const pid_t first = spawn_igbsim(args, d.string() + ".log");
  const fs::path lock = d.parent_path() / ("." + d.filename().string() + ".igbsim-lock");
  ASSERT_TRUE(wait_for([&] { return fs::exists(lock) && fs::file_size(lock) > 0; }, 60));
  const result second = run_igbsim("run --quiet --set traffic.frames=5 --out " + d.string());
  expect_refused(second, "a folder in use");
  EXPECT_NE(second.err.find("in use by PID " + std::to_string(first)), std::string::npos)
      << second.err;
  ::kill(first, SIGKILL);
  wait_status(first);
  fs::remove_all(d);
  fs::remove(d.string() + ".log");
}

TEST(OutputFolder, AnInterruptedRunLeavesAPartialResultMarkedIncomplete) {
  for (int sig : {SIGINT, SIGTERM}) {
    const fs::path d = fresh_dir(fmt::format("interrupted-{}", sig));
    std::vector<std::string> args = kLongRun;
    args.insert(args.end(), {"--out", d.string()});
    const pid_t pid = spawn_igbsim(args, d.string() + ".log");
    const fs::path tmp = d.string() + ".tmp." + std::to_string(pid);
    ASSERT_TRUE(wait_for(
        [&] {
      return fs::exists(tmp / "journey.csv") && fs::file_size(tmp / "journey.csv") > 100000;
        },
        120));
    ::kill(pid, sig);
    EXPECT_EQ(wait_status(pid), 128 + sig);
    const json r = load_report(d.string());
    EXPECT_EQ(r["complete"], false);
    EXPECT_NE(r["incomplete_reason"].get<std::string>().find(sig == SIGINT ? "SIGINT" : "SIGTERM"),
              std::string::npos);
    EXPECT_GT(r["checks"]["offered"].get<uint64_t>(), 0u);
    EXPECT_LT(r["checks"]["offered"].get<uint64_t>(), 3000000u);
    const std::string log = read_file(d.string() + ".log");
    EXPECT_NE(log.find("INCOMPLETE"), std::string::npos) << log;
    EXPECT_FALSE(fs::exists(tmp));
    fs::remove_all(d);
    fs::remove(d.string() + ".log");
  }
}

// A send-only run says how many datagrams it sent, not only the frames offered (none): in its
// progress lines, and when stopped halfway, in its INCOMPLETE reason
TEST(OutputFolder, AnInterruptedSendOnlyRunSaysWhatItSent) {
  const fs::path d = fresh_dir("interrupted-send");
  const pid_t pid =
      spawn_igbsim({"run", "--progress-every", "0.2", "--set", "traffic.frames=0", "--set",
                    "send.frames=50000000", "--set", "send.rate_pct=100", "--out", d.string()},
                   d.string() + ".log");
  const std::regex progress(
      R"(igbsim: progress: \d+% done, .* 0 frames offered, (\d+) datagrams sent)");
  std::smatch m;
  std::string log;
  ASSERT_TRUE(wait_for(
      [&] {
    log = read_file(d.string() + ".log");
    return std::regex_search(log, m, progress) && std::stoull(m[1]) > 0;
      },
      120))
      << log;
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_status(pid), 128 + SIGTERM);
  const json r = load_report(d.string());
  EXPECT_EQ(r["complete"], false);
  const uint64_t sent = r["tx"]["app"]["sent"];
  EXPECT_GT(sent, 0u);
  EXPECT_NE(r["incomplete_reason"].get<std::string>().find(
                fmt::format("0 frames offered and {} datagrams sent by then", sent)),
            std::string::npos)
      << r["incomplete_reason"];
  fs::remove_all(d);
  fs::remove(d.string() + ".log");
}

// SIGTERM to a sweep (as a time limit sends): the running point stops with a partial result,
// no other starts, and the sweep merges what ran and exits 143.
TEST(Sweep, ASignalStopsTheSweepAndWhatRanIsMerged) {
  const fs::path d = fresh_dir("sweep-signal");
  fs::create_directories(d);
  std::ofstream(d / "s.toml") << "[set]\n\"traffic.frames\" = 3000000\n\"traffic.rate_pct\" = 100\n"
                                 "[axes]\n\"traffic.flows\" = [1, 2, 3]\n";
  const fs::path out = d / "out";
  const pid_t pid = spawn_igbsim(
      {"sweep", (d / "s.toml").string(), "--jobs", "1", "--out", out.string()}, d / "log");
  // Point 0 is well under way: its temporary folder's journey has grown
  ASSERT_TRUE(wait_for(
      [&] {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(out, ec))
      if (e.path().filename().string().rfind("point-000.tmp.", 0) == 0 &&
          fs::exists(e.path() / "journey.csv") && fs::file_size(e.path() / "journey.csv") > 100000)
        return true;
    return false;
      },
      120));
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_status(pid), 128 + SIGTERM);
  const std::string csv = read_file(out / "sweep.csv");
  EXPECT_NE(csv.find("\n0,incomplete,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n1,not_run,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n2,not_run,"), std::string::npos) << csv;
  EXPECT_FALSE(fs::exists(out / "point-001"));
  EXPECT_FALSE(fs::exists(out.parent_path() / ".out.igbsim-lock"));
  fs::remove_all(d);
}

TEST(OutputFolder, AKilledRunsTemporaryIsRemovedByTheNextRunAndTheEarlierResultKept) {
  const fs::path d = fresh_dir("killed");
  ASSERT_EQ(run_igbsim("run --quiet --set traffic.frames=5 --out " + d.string()).status, 0);
  std::vector<std::string> args = kLongRun;
  args.insert(args.end(), {"--out", d.string()});
  const pid_t pid = spawn_igbsim(args, d.string() + ".log");
  const fs::path tmp = d.string() + ".tmp." + std::to_string(pid);
  ASSERT_TRUE(wait_for([&] { return fs::exists(tmp / "journey.csv"); }, 60));
  ::kill(pid, SIGKILL);
  wait_status(pid);
  EXPECT_TRUE(fs::exists(tmp)) << "a killed process cannot clean up";
  EXPECT_EQ(load_report(d.string())["checks"]["offered"], 5) << "the earlier result is whole";
  // A folder of the user's with a similar name is not ours and stays
  const fs::path look_alike = d.string() + ".tmp.1";
  fs::create_directories(look_alike);
  std::ofstream(look_alike / "x") << "x\n";
  ASSERT_EQ(run_igbsim("run --quiet --set traffic.frames=6 --out " + d.string()).status, 0);
  EXPECT_FALSE(fs::exists(tmp)) << "the next run removes what the killed one left";
  EXPECT_TRUE(fs::exists(look_alike / "x"));
  EXPECT_EQ(load_report(d.string())["checks"]["offered"], 6);
  fs::remove_all(d);
  fs::remove_all(look_alike);
  fs::remove(d.string() + ".log");
}

// An empty --out names no folder (it took the default, or with --out= the next argument); a
// seed out of range is named as typed (it was named clamped to 2^63 - 1); a number past a
// double is infinite, refused as such (it was "a string"); a table or array where a value
// goes is named so, an unknown key inside a known section is unknown (it was "unsupported
// value type"). Each: one line, exit 2, no output.
TEST(BadInput, EmptyValuesOutOfRangeSeedsAndOddTomlValuesAreNamed) {
  const fs::path d = fresh_dir("odd");
  const fs::path cwd_out = fs::current_path() / "out" / "default";
  const bool had_out = fs::exists(cwd_out);
  const std::pair<std::string, std::string> cases[] = {
      {"--out \"\"", "--out: an empty path"},
      {"--out= --set traffic.frames=5", "--out=: an empty value"},
      {"--seed=", "--seed=: an empty value"},
      {"--seed 99999999999999999999999", "--seed 99999999999999999999999: must be"},
      {"--seed 12x", "--seed 12x: must be"},
      {"--set send.rate_pct=1e309", "inf is not a finite number"},
      {"--set send.rate_pct=-1e309", "-inf is not a finite number"}};
  for (const auto& [args, says] : cases) {
    const result r = run_igbsim("run --quiet --set traffic.frames=5 " + args +
                                (args.find("--out") == 0 ? "" : " --out " + d.string()));
    expect_refused(r, args);
    EXPECT_NE(r.err.find(says), std::string::npos) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(d)) << args;
  }
  EXPECT_EQ(fs::exists(cwd_out), had_out) << "no default folder taken for an empty --out";
  for (const char* cmd : {"journey \"\" --packet 1", "journey \"\" --datagram 1", "waves \"\""}) {
    const result r = run_igbsim(cmd);
    expect_refused(r, cmd);
    EXPECT_NE(r.err.find("an empty path"), std::string::npos) << cmd << ": " << r.err;
  }
  const result merge = run_igbsim("sweep --merge \"\" " + d.string() + ".toml");
  expect_refused(merge, "sweep --merge \"\"");
  EXPECT_NE(merge.err.find("--merge: an empty path"), std::string::npos) << merge.err;
  const std::pair<std::string, std::string> files[] = {
      {"[send]\ninfo = { a = 1 }\n", "unknown key 'send.info'"},
      {"[send.sub]\na = 1\n", "unknown key 'send.sub'"},
      {"[send]\nframes = [1, 2]\n", "send.frames: expected an integer, got an array"},
      {"[send]\nframes = { a = 1 }\n", "send.frames: expected an integer, got a table"},
      {"[driver]\nitr = 1979-05-27\n", "driver.itr: expected a number or a word, got a date"}};
  const fs::path scen = d.string() + ".toml";
  for (const auto& [text, says] : files) {
    std::ofstream(scen) << text;
    const result r = run_igbsim("run --quiet " + scen.string() + " --out " + d.string());
    expect_refused(r, text);
    EXPECT_NE(r.err.find(says), std::string::npos) << text << ": " << r.err;
    EXPECT_FALSE(fs::exists(d)) << text;
  }
  fs::remove(scen);
}

TEST(BadInput, NonFiniteNumbersAreRefusedEverywhere) {
  const fs::path d = fresh_dir("nan");
  for (const char* args :
       {"--set driver.itr=nan", "--set driver.itr=inf", "--set 'driver.itr=\"nan\"'",
        "--set pcie.gbps=nan", "--set pcie.gbps=-inf", "--waves-window nan:5",
        "--waves-window 0:inf", "--waves-window 5x:10",
        "--waves-window 1:", "--waves-trigger mpc --waves-pre nan",
        "--waves-trigger mpc --waves-post inf", "--seed -5", "--seed 4294967296"}) {
    const result r =
        run_igbsim("run --quiet --set traffic.frames=5 --out " + d.string() + " " + args);
    expect_refused(r, args);
    EXPECT_EQ(r.err.find("nan.0"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d)) << args;
  }
  const result seed = run_igbsim("run --seed 4294967296 --out " + d.string());
  EXPECT_NE(seed.err.find("--seed"), std::string::npos)
      << "names the option the user gave: " << seed.err;
  const fs::path scen = d.string() + ".toml";
  std::ofstream(scen) << "[pcie]\ngbps = nan\n";
  const result f = run_igbsim("run " + scen.string() + " --out " + d.string());
  expect_refused(f, "nan in a file");
  EXPECT_NE(f.err.find(scen.string() + ":2"), std::string::npos) << f.err;
  fs::remove(scen);
}

TEST(BadInput, AFolderOrAnEndlessFileAsTheScenarioIsRefused) {
  const fs::path d = fresh_dir("notascenario");
  fs::create_directories(d);
  const fs::path out = d / "out";
  expect_refused(run_igbsim("run " + d.string() + " --out " + out.string()), "a folder");
  const result z = run_igbsim("run /dev/zero --out " + out.string());
  expect_refused(z, "/dev/zero");
  EXPECT_NE(z.err.find("KiB"), std::string::npos) << z.err;
  EXPECT_FALSE(fs::exists(out));
  fs::remove_all(d);
}

// A number where an integer is expected, or one beyond 64 bits: the message says which value
// and why (it said "expected an integer, got a number" or "got a string")
TEST(BadInput, NumbersWhereIntegersAreExpectedAreNamed) {
  const fs::path d = fresh_dir("int-messages");
  expect_sets_refused(d, {{"send.frames=99999999999999999999", "1e+20 is out of range [0, "},
                          {"wire.partner_rx_rate_pct=50.5", "expected an integer, got 50.5"},
                          {"wire.partner_rx_buffer=-1e30", "is out of range [16384, "}});
}

// Nothing after '=' (an empty shell variable): "no value given" and what the key takes (it
// said "got a string", or "'' is not one of"); a free-text key takes the empty string, as a
// scenario file's "" does
TEST(BadInput, AnEmptyValueIsNamedAsNone) {
  const fs::path d = fresh_dir("empty-values");
  expect_sets_refused(
      d, {{"send.frames=", "--set send.frames=: send.frames: no value given (expected an "
                           "integer)"},
          {"send.rate_pct= ", "send.rate_pct: no value given (expected a number)"},
          {"driver.itr=", "driver.itr: no value given (expected one of: dynamic, off, or a "
                          "number)"},
          {"app.reply=", "app.reply: no value given (expected one of: none, echo)"},
          {"send.blocking=", "send.blocking: no value given (expected a boolean)"}});
}

// A newline or carriage return inside a --set value (a script's variable read from a file)
// is shown escaped: still one line, and the stray character visible (it printed 2 or 3 lines,
// or "'echo' is not one of: none, echo")
TEST(BadInput, ControlCharactersInAValueAreShownOnOneLine) {
  const fs::path d = fresh_dir("control-chars");
  expect_sets_refused(d, {{"send.frames=5\n6", "send.frames=5\\n6"},
                          {"nic.part=i350\n", "'i350\\n' is not one of"},
                          {"app.reply=echo\r", "'echo\\x0d' is not one of: none, echo"}});
}

// A slip in a key or a choice is answered with what was meant: one or two edits from exactly
// one key, or the start of a few; nothing is guessed for a word far from every key
TEST(BadInput, AMistypedKeyOrChoiceSaysWhatWasMeant) {
  const fs::path d = fresh_dir("did-you-mean");
  expect_sets_refused(
      d, {{"trafic.frames=10", "unknown key 'trafic.frames'; did you mean 'traffic.frames'?"},
          {"traffic.frmaes=10", "did you mean 'traffic.frames'?"},
          {"nic.queus=2", "did you mean 'nic.queues'?"},
          {"app.reply=ecko", "'ecko' is not one of: none, echo; did you mean 'echo'?"},
          {"traffic.rate=5", "did you mean 'traffic.rate_pct', 'traffic.rate_pps' or "
                             "'traffic.rate_mbps'?"},
          {"zzz.yyy=1", "unknown key 'zzz.yyy' (igbsim params lists them)"},
          {"driver.irq_mode=MSIX", "did you mean 'msix'?"},
          {"traffic.live=ture", "expected a boolean, got a string; did you mean 'true'?"}});
  // The same from a scenario file, a table name mistyped
  const fs::path f = d.string() + ".toml";
  std::ofstream(f) << "[trafic]\nframes = 10\n";
  const result r = run_igbsim("run " + f.string() + " --out " + d.string());
  expect_refused(r, f.string());
  EXPECT_NE(r.err.find(":2: unknown key 'trafic.frames'; did you mean 'traffic.frames'?"),
            std::string::npos)
      << r.err;
  fs::remove(f);
}

// --journey (and sim.journey in a scenario, with --set, or in a sweep) takes all, off or
// sample=N with N a whole number >= 1; anything else is one line naming the value and why,
// exit 2, and nothing written
TEST(BadInput, JourneySettingsThatAreNoneAreRefused) {
  const fs::path d = fresh_dir("journey-setting");
  fs::create_directories(d);
  const fs::path out = d / "out";
  for (const std::string v : {"sample=0", "sample=-1", "sample=abc", "sample=nan", "sample=1.5",
                              "sample=", "NaN", "sometimes", "sample=99999999999999999999999"}) {
    const result cli = run_igbsim("run --journey '" + v + "' --out " + out.string());
    expect_refused(cli, v);
    EXPECT_NE(cli.err.find("--journey " + v + ": "), std::string::npos) << cli.err;
    const result set = run_igbsim("run --set 'sim.journey=" + v + "' --out " + out.string());
    expect_refused(set, v);
    EXPECT_NE(set.err.find("sim.journey: "), std::string::npos) << set.err;
    std::ofstream(d / "s.toml") << "[sim]\njourney = \"" << v << "\"\n";
    const result file = run_igbsim("run " + (d / "s.toml").string() + " --out " + out.string());
    expect_refused(file, v);
    EXPECT_NE(file.err.find("s.toml:2: sim.journey: "), std::string::npos) << file.err;
    std::ofstream(d / "w.toml") << "[set]\n\"sim.journey\" = \"" << v << "\"\n";
    const result sweep = run_igbsim("sweep " + (d / "w.toml").string() + " --out " + out.string());
    expect_refused(sweep, v);
    EXPECT_FALSE(fs::exists(out)) << v;
  }
  const result zero = run_igbsim("run --journey sample=0 --out " + out.string());
  EXPECT_NE(zero.err.find("N must be a whole number from 1"), std::string::npos) << zero.err;
  const result word = run_igbsim("run --journey sometimes --out " + out.string());
  EXPECT_NE(word.err.find("'sometimes' is not all, off or sample=N"), std::string::npos)
      << word.err;
  fs::remove_all(d);
}

// summary.look_at takes report.json paths; one that is none is refused with one line naming
// it, exit 2, nothing written
TEST(BadInput, LookAtPathsThatAreNoneAreRefused) {
  const fs::path d = fresh_dir("look-at-bad");
  for (const std::string v :
       {"cpu[x].idle_ns", "nic.mpc,,driver.irqs", "cpu[0", ".nic", "nic..mpc", "nic.mpc; rm"}) {
    const result r = run_igbsim("run --set 'summary.look_at=" + v + "' --out " + d.string());
    expect_refused(r, v);
    EXPECT_NE(r.err.find("summary.look_at: "), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d)) << v;
  }
}

TEST(BadInput, ADamagedJourneyFileNamesItsLine) {
  const fs::path d = fresh_dir("journey-bad");
  ASSERT_EQ(run_igbsim("run --quiet --set traffic.frames=20 --out " + d.string()).status, 0);
  expect_refused(run_igbsim("journey " + d.string() + " --packet -1"), "--packet -1");
  expect_refused(run_igbsim("journey " + d.string() + " --packet 3x"), "--packet 3x");
  const std::string good = read_file(d / "journey.csv");
  // The file with line n (1: the header) changed by f; the journey of frame 10 is asked for,
  // so every line before its own is read.
  const auto damaged = [&](int n, const std::function<void(std::string&)>& f) {
    std::string text = good;
    size_t at = 0;
    for (int i = 1; i < n; ++i) at = text.find('\n', at) + 1;
    std::string line = text.substr(at, text.find('\n', at) - at);
    const size_t len = line.size();
    f(line);
    text.replace(at, len, line);
    std::ofstream(d / "journey.csv") << text;
    return run_igbsim("journey " + d.string() + " --packet 10");
  };
  const result extra = damaged(4, [](std::string& l) { l.insert(l.find(','), ",garbage"); });
  expect_refused(extra, "a line with a column too many");
  EXPECT_NE(extra.err.find("journey.csv:4"), std::string::npos) << extra.err;
  const result id = damaged(6, [](std::string& l) { l.replace(0, l.find(','), "x4"); });
  expect_refused(id, "a frame number that is not one");
  EXPECT_NE(id.err.find("journey.csv:6"), std::string::npos) << id.err;
  EXPECT_NE(id.err.find("'x4'"), std::string::npos) << id.err;
  // Frame 10's own line (12): its wire time (third column) is not a number
  const result time = damaged(12, [](std::string& l) {
    const size_t a = l.find(',', l.find(',') + 1) + 1;
    l.replace(a, l.find(',', a) - a, "nan");
  });
  expect_refused(time, "a time that is not one");
  EXPECT_NE(time.err.find("journey.csv:12"), std::string::npos) << time.err;
  EXPECT_NE(time.err.find("'nan'"), std::string::npos) << time.err;
  // Frame 10's ip_rcv (column 13) 1 ns before its netif_receive_skb (column 12): a delivered
  // row out of order, which a run whose checks passed cannot have
  const result order = damaged(12, [](std::string& l) {
    std::vector<std::string> v;
    std::stringstream in(l);
    for (std::string x; std::getline(in, x, ',');) v.push_back(x);
    v[12] = fmt::format("{:.3f}", std::stod(v[11]) - 1);
    l.clear();
    for (const std::string& x : v) l += (l.empty() ? "" : ",") + x;
  });
  expect_refused(order, "a step before the step it follows");
  EXPECT_NE(order.err.find("journey.csv:12: frame 10's ip_rcv"), std::string::npos) << order.err;
  EXPECT_NE(order.err.find("before its netif_receive_skb"), std::string::npos) << order.err;
  // Frame 10's row (line 12) again at the end: a journey has one row a frame
  const size_t at12 = [&] {
    size_t at = 0;
    for (int i = 1; i < 12; ++i) at = good.find('\n', at) + 1;
    return at;
  }();
  std::ofstream(d / "journey.csv") << good + good.substr(at12, good.find('\n', at12) + 1 - at12);
  const result twice = run_igbsim("journey " + d.string() + " --packet 10");
  expect_refused(twice, "a row twice");
  EXPECT_NE(twice.err.find("frame 10 again, as on line 12"), std::string::npos) << twice.err;
  fs::remove_all(d);
}

// Journey files a spreadsheet or an editor saved again, with CRLF line ends and a UTF-8
// byte-order mark, read as the files the run wrote: the same views
TEST(Journey, AFileSavedAgainWithCrlfAndAByteOrderMarkShowsTheSameRows) {
  const fs::path d = fresh_dir("journey-crlf");
  ASSERT_EQ(
      run_igbsim("run --quiet --set traffic.frames=20 --set send.frames=20 --out " + d.string())
          .status,
      0);
  const result rx = run_igbsim("journey " + d.string() + " --packet 3"),
               tx = run_igbsim("journey " + d.string() + " --datagram 5");
  ASSERT_EQ(rx.status, 0) << rx.err;
  ASSERT_EQ(tx.status, 0) << tx.err;
  for (const char* name : {"journey.csv", "tx_journey.csv"}) {
    std::string text = "\xEF\xBB\xBF";
    for (const char c : read_file(d / name))
      text += c == '\n' ? std::string("\r\n") : std::string(1, c);
    std::ofstream(d / name, std::ios::binary) << text;
  }
  const result rx2 = run_igbsim("journey " + d.string() + " --packet 3"),
               tx2 = run_igbsim("journey " + d.string() + " --datagram 5");
  EXPECT_EQ(rx2.status, 0) << rx2.err;
  EXPECT_EQ(rx2.out, rx.out);
  EXPECT_EQ(tx2.status, 0) << tx2.err;
  EXPECT_EQ(tx2.out, tx.out);
  fs::remove_all(d);
}

// igbsim journey DIR --datagram N: a sent datagram's steps from tx_journey.csv, each time as
// the file has it and each delta from the step it names; bad numbers, a damaged file and a run
// that sent nothing are refused with one line
TEST(BadInput, TransmitJourneyViewAndItsDamagedFile) {
  const fs::path d = fresh_dir("tx-journey-view");
  ASSERT_EQ(
      run_igbsim("run --quiet --set traffic.frames=0 --set send.frames=20 --out " + d.string())
          .status,
      0);
  const std::string good = read_file(d / "tx_journey.csv");
  const result ok = run_igbsim("journey " + d.string() + " --datagram 5");
  ASSERT_EQ(ok.status, 0) << ok.err;
  // Datagram 5's row, its times in the view in step order
  std::istringstream rows(good);
  std::string header, line, row5;
  std::getline(rows, header);
  while (std::getline(rows, line))
    if (line.rfind("5,", 0) == 0) row5 = line;
  ASSERT_FALSE(row5.empty());
  std::vector<std::string> h, v;
  for (std::istringstream a(header); std::getline(a, line, ',');) h.push_back(line);
  for (std::istringstream a(row5); std::getline(a, line, ',');) v.push_back(line);
  size_t at = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    if (h[i].size() < 3 || h[i].substr(h[i].size() - 3) != "_ns") continue;
    const std::string step = h[i].substr(0, h[i].size() - 3);
    const size_t p = ok.out.find("\n  " + step + " ", at);
    ASSERT_NE(p, std::string::npos) << step << " in order:\n" << ok.out;
    const size_t eol = ok.out.find('\n', p + 1);
    // The time in ms, from the file's ns
    const std::string shown = v[i].empty() ? " - " : fmt::format(" {:.6f} ", std::stod(v[i]) / 1e6);
    EXPECT_NE((ok.out.substr(p, eol - p) + " ").find(shown), std::string::npos)
        << step << " shows its time " << v[i] << " ns as" << shown << ":\n"
        << ok.out;
    at = p + 1;
  }
  EXPECT_NE(ok.out.find("'-': the datagram did not pass that step"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("wire_end and dd_writeback both count from data_read"), std::string::npos)
      << ok.out;
  EXPECT_NE(ok.out.find("dd_writeback"), std::string::npos);
  expect_refused(run_igbsim("journey " + d.string() + " --datagram x"), "--datagram x");
  expect_refused(run_igbsim("journey " + d.string() + " --datagram 999"), "no such datagram");
  expect_refused(run_igbsim("journey " + d.string() + " --datagram 3 --packet 3"), "both");
  std::string bad = good;
  bad.replace(bad.find("\n5,") + 1, 2, "5,,");  // datagram 5's row
  std::ofstream(d / "tx_journey.csv") << bad;
  const result extra = run_igbsim("journey " + d.string() + " --datagram 5");
  expect_refused(extra, "a column too many");
  EXPECT_NE(extra.err.find("tx_journey.csv:"), std::string::npos) << extra.err;
  // A row whose source, fate or queue is not one igbsim writes
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\n5,sender,", "\n5,martian,"},
           {"\n5,sender,sent,", "\n5,sender,exploded,"},
           {"\n5,sender,sent,0,", "\n5,sender,sent,99,"}}) {
    std::string text = good;
    ASSERT_NE(text.find(from), std::string::npos) << from;
    text.replace(text.find(from), from.size(), to);
    std::ofstream(d / "tx_journey.csv") << text;
    const result r = run_igbsim("journey " + d.string() + " --datagram 5");
    expect_refused(r, to);
    EXPECT_NE(r.err.find("tx_journey.csv:6:"), std::string::npos) << r.err;
  }
  // A datagram's row twice, or a 'sent' row without its wire_end time: damaged, not shown
  const size_t at5 = good.find("\n5,") + 1;
  const std::string line5 = good.substr(at5, good.find('\n', at5) + 1 - at5);
  std::ofstream(d / "tx_journey.csv") << good + line5;
  const result twice = run_igbsim("journey " + d.string() + " --datagram 5");
  expect_refused(twice, "a row twice");
  EXPECT_NE(twice.err.find("datagram 5 again, as on line 6"), std::string::npos) << twice.err;
  std::vector<std::string> f;
  for (std::istringstream a(line5.substr(0, line5.size() - 1)); std::getline(a, line, ',');)
    f.push_back(line);
  const size_t wire_col =
      static_cast<size_t>(std::find(h.begin(), h.end(), "wire_end_ns") - h.begin());
  ASSERT_LT(wire_col, f.size());
  // The journey of datagram 5 with its row's fields as given
  const auto with_row5 = [&](const std::vector<std::string>& fields) {
    std::string row;
    for (size_t i = 0; i < fields.size(); ++i) row += (i ? "," : "") + fields[i];
    std::string text = good;
    text.replace(at5, line5.size() - 1, row);
    std::ofstream(d / "tx_journey.csv") << text;
    return run_igbsim("journey " + d.string() + " --datagram 5");
  };
  f[wire_col].clear();
  const result unwired = with_row5(f);
  expect_refused(unwired, "sent without wire_end");
  EXPECT_NE(unwired.err.find("'sent' with no wire_end time"), std::string::npos) << unwired.err;
  // Datagram 5's clean 1 ns before its dd_writeback, the step it follows: a row out of order,
  // which a run whose checks passed cannot have (tx_journey_step_order)
  const auto col = [&](const char* name) {
    return static_cast<size_t>(std::find(h.begin(), h.end(), name) - h.begin());
  };
  ASSERT_LT(col("clean_ns"), f.size());
  f = {};
  for (std::istringstream a(line5.substr(0, line5.size() - 1)); std::getline(a, line, ',');)
    f.push_back(line);
  f[col("clean_ns")] = fmt::format("{:.3f}", std::stod(f[col("dd_writeback_ns")]) - 1);
  const result order = with_row5(f);
  expect_refused(order, "a step before the step it follows");
  EXPECT_NE(order.err.find("tx_journey.csv:6: datagram 5's clean"), std::string::npos) << order.err;
  EXPECT_NE(order.err.find("before its dd_writeback"), std::string::npos) << order.err;
  // A run whose checks name tx_journey_step_order has such rows: it is shown as it is
  const std::string report = read_file(d / "report.json");
  nlohmann::json named = nlohmann::json::parse(report);
  named["checks"]["violations"].push_back({{"kind", "tx_journey_step_order"}});
  std::ofstream(d / "report.json") << named.dump();
  const result shown = run_igbsim("journey " + d.string() + " --datagram 5");
  EXPECT_EQ(shown.status, 0) << shown.err;
  EXPECT_NE(shown.out.find("clean "), std::string::npos) << shown.out;
  std::ofstream(d / "report.json") << report;
  std::ofstream(d / "tx_journey.csv") << good;
  // A time no run reaches (1e25 ns, in order, or 1e308): damaged, not a 300-digit table row
  for (const char* huge : {"1e25", "1e308"}) {
    f[col("clean_ns")] = huge;
    const result beyond = with_row5(f);
    expect_refused(beyond, huge);
    EXPECT_NE(beyond.err.find("clean time '" + std::string(huge) + "' ns is more than twice"),
              std::string::npos)
        << beyond.err;
  }
  std::ofstream(d / "tx_journey.csv") << good;
  // A run that sent only: its journey.csv has no frames, and says where to look
  const result rx = run_igbsim("journey " + d.string());
  expect_refused(rx, "no received frames");
  EXPECT_NE(rx.err.find("--datagram"), std::string::npos) << rx.err;
  // --waves-trigger given empty
  expect_refused(run_igbsim("run --waves-trigger '' --out " + (d / "wt").string()),
                 "an empty trigger");
  EXPECT_FALSE(fs::exists(d / "wt"));
  fs::remove(d / "tx_journey.csv");
  const result none = run_igbsim("journey " + d.string() + " --datagram 5");
  expect_refused(none, "no tx_journey.csv");
  EXPECT_NE(none.err.find("sent nothing"), std::string::npos) << none.err;
  fs::remove_all(d);
}

// igbsim waves: every bad folder, option and file is refused with one line and exit 2, and
// nothing is written: no save file in the run's folder, no picture
TEST(BadInput, WavesRefusesBadFoldersOptionsAndPictures) {
  ::unsetenv("DISPLAY");  // a view asked for without --png would otherwise open GTKWave
  const fs::path d = fresh_dir("waves-bad"), plain = fresh_dir("waves-bad-plain");
  ASSERT_EQ(run_igbsim("run --quiet --waves --set traffic.frames=50 --out " + d.string()).status,
            0);
  ASSERT_EQ(run_igbsim("run --quiet --set traffic.frames=5 --out " + plain.string()).status, 0);
  const fs::path users = users_folder("waves-bad-users");
  std::ofstream(users / "figure.png") << "the user's figure\n";
  const std::string w = "waves " + d.string();
  const json rep = load_report(d.string());
  const double end_us = rep["sim"]["sim_time_ns"].get<double>() / 1000.0;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"waves", "dir is required"},
      {"waves " + (users / "nothing-here").string(), "no such folder"},
      {"waves " + (users / "thesis.tex").string(), "is not a folder"},
      {"waves " + users.string(), "is not an igbsim"},
      {"waves " + plain.string() + " --at 1us", "has no waves.fst"},
      {w + " --packet 3 --at 10us", "excludes"},
      {w + " --event rnbc --datagram 1", "excludes"},
      {w + " --packet 99999", "no frame 99999"},
      {w + " --packet x", "--packet x"},
      {w + " --datagram 1", "sent nothing"},
      {w + " --at 150", "needs a unit"},
      {w + " --at nanus", "a finite number"},
      {w + " --at infms", "a finite number"},
      {w + " --at=-5us", "before the run's start"},
      {w + " --at 5parsecs", "a finite number and a unit"},
      {w + fmt::format(" --at {:.0f}us", end_us + 10), "after the run's end"},
      {w + " --event bogus", "budget_exhausted"},
      {w + " --event rnbc", "no rnbc event happened"},
      {w + " --at 1us --png " + users.string(), "is a folder"},
      {w + " --at 1us --png " + (users / "figure.png").string(), "not a picture igbsim waves made"},
      {w + " --at 1us --png " + (users / "figure.txt").string(), "must end in .png"},
      {w + " --at 1us --png " + (users / "no" / "such.png").string(), "does not exist"},
      {w + " --at 1us", "no display"},
      {w, "no display"},
  };
  for (const auto& [args, says] : cases) {
    const result r = run_igbsim(args);
    expect_refused(r, args);
    EXPECT_NE(r.err.find(says), std::string::npos) << args << ": " << r.err;
  }
  EXPECT_EQ(read_file(users / "figure.png"), "the user's figure\n");
  EXPECT_FALSE(fs::exists(users / "figure.txt"));
  expect_untouched(users);
  // A damaged journey names its line, as `igbsim journey` does
  const std::string good = read_file(d / "journey.csv");
  std::string bad = good;
  bad.insert(bad.find('\n', bad.find('\n') + 1), ",garbage");  // the first frame's row
  std::ofstream(d / "journey.csv") << bad;
  const result damaged = run_igbsim(w + " --packet 0");
  expect_refused(damaged, "a damaged journey");
  EXPECT_NE(damaged.err.find("journey.csv:2"), std::string::npos) << damaged.err;
  std::ofstream(d / "journey.csv") << good;
  // A damaged save file, report or waveform
  for (const auto& [file, says] :
       std::vector<std::pair<std::string, std::string>>{{"waves.gtkw", "not a GTKWave save file"},
                                                        {"report.json", "is not JSON"},
                                                        {"waves.fst", "not a readable FST"}}) {
    const std::string kept = read_file(d / file);
    std::ofstream(d / file) << "garbage\n";
    const result r = run_igbsim(w + " --at 1us --png " + (users / "shot.png").string());
    expect_refused(r, file);
    EXPECT_NE(r.err.find(says), std::string::npos) << file << ": " << r.err;
    std::ofstream(d / file) << kept;
  }
  // A save file cut short (its header whole, its groups not)
  {
    const std::string kept = read_file(d / "waves.gtkw");
    std::ofstream(d / "waves.gtkw") << kept.substr(0, kept.size() / 2);
    const result r = run_igbsim(w + " --at 1us --png " + (users / "shot.png").string());
    expect_refused(r, "a save file cut short");
    EXPECT_NE(r.err.find("do not all close"), std::string::npos) << r.err;
    std::ofstream(d / "waves.gtkw") << kept;
  }
  EXPECT_FALSE(fs::exists(users / "shot.png"));
  // A waveform recorded only in part: a time or a frame outside it is refused with its range.
  // The window is frame 0's journey; the last frame is received after it.
  const auto rows = [&] {
    std::vector<std::string> out;
    std::istringstream in(good);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }();
  const auto field = [](const std::string& row, size_t i) {
    std::istringstream in(row);
    std::string f;
    for (size_t k = 0; k <= i; ++k) std::getline(in, f, ',');
    return f;
  };
  std::string first_row, last_row;
  for (size_t i = 1; i < rows.size(); ++i) {
    if (field(rows[i], 0) == "0") first_row = rows[i];
    if (field(rows[i], 0) == "49") last_row = rows[i];
  }
  ASSERT_FALSE(first_row.empty() || last_row.empty());
  const double wire0_us = std::stod(field(first_row, 2)) / 1000,
               wire49_us = std::stod(field(last_row, 2)) / 1000;
  ASSERT_GT(wire49_us, wire0_us + 20);
  const fs::path part = fresh_dir("waves-bad-part");
  ASSERT_EQ(
      run_igbsim(fmt::format("run --quiet --set traffic.frames=50 --waves-window {:.3f}:{:.3f} "
                             "--out {}",
                             wire0_us, wire0_us + 10, part.string()))
          .status,
      0);
  for (const std::string& args :
       {fmt::format("waves {} --packet 49", part.string()),
        fmt::format("waves {} --at {:.3f}us", part.string(), wire49_us)}) {
    const result r = run_igbsim(args);
    expect_refused(r, args);
    EXPECT_NE(r.err.find("the waveform holds"), std::string::npos) << args << ": " << r.err;
    EXPECT_NE(r.err.find("--waves-window"), std::string::npos) << args << ": " << r.err;
  }
  for (const fs::path& run : {d, part}) EXPECT_FALSE(fs::exists(run / "waves-view.gtkw")) << run;
  fs::remove_all(d);
  fs::remove_all(plain);
  fs::remove_all(part);
  fs::remove_all(users);
}

TEST(Sweep, HostileSweepFilesAreRefusedBeforeAnythingRuns) {
  const fs::path d = fresh_dir("sweep-hostile");
  fs::create_directories(d);
  const fs::path out = d / "out";
  auto refused = [&](const std::string& text, const std::string& expect_in_message) {
    std::ofstream(d / "s.toml") << text;
    const result r = run_igbsim("sweep " + (d / "s.toml").string() + " --out " + out.string());
    expect_refused(r, text);
    EXPECT_NE(r.err.find(expect_in_message), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out)) << text;
  };
  refused("base = \".\"\n[axes]\n\"traffic.frames\" = [1, 2]\n", "not a file");
  // A point whose parameters do not go together: refused up front, naming the point
  refused("[set]\n\"send.frames\" = 10\n\"send.flows\" = 2\n[axes]\n\"send.threads\" = [1, 3]\n",
          "point 1: send.threads = 3 is more than send.flows = 2");
  refused("[axes]\n\"traffic.frames\" = [1, 2]\n\"traffic.frames\" = [3]\n",
          "s.toml:3: duplicate key \"traffic.frames\" (");
  std::string big = "[axes]\n";
  for (const char* k :
       {"traffic.frames", "traffic.flows", "nic.wthresh", "nic.pthresh", "nic.hthresh"})
    big += fmt::format("\"{}\" = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n", k);
  refused(big, "points");
  const fs::path mine = users_folder("sweep-mine");
  std::ofstream(d / "s.toml") << "[axes]\n\"traffic.frames\" = [1, 2]\n";
  expect_refused(run_igbsim("sweep " + (d / "s.toml").string() + " --out " + mine.string()),
                 "a user's folder");
  expect_untouched(mine);
  fs::remove_all(mine);
  fs::remove_all(d);
}

TEST(Sweep, MergeTakesNoResultOfAnEarlierSweep) {
  const fs::path d = fresh_dir("sweep-stale");
  fs::create_directories(d);
  std::ofstream(d / "s.toml")
      << "[set]\n\"traffic.frames\" = 5\n[axes]\n\"traffic.flows\" = [1, 2]\n";
  const fs::path out = d / "out";
  ASSERT_EQ(
      run_igbsim("sweep " + (d / "s.toml").string() + " --jobs 2 --out " + out.string()).status, 0);
  fs::rename(out / "point-000", d / "old-point-000");
  // A new sweep into the same folder (for Slurm: nothing runs yet); a job of the earlier sweep
  // then writes its result late.
  ASSERT_EQ(
      run_igbsim("sweep " + (d / "s.toml").string() + " --emit-slurm --out " + out.string()).status,
      0);
  EXPECT_FALSE(fs::exists(out / "point-001")) << "the earlier sweep's results are gone";
  fs::rename(d / "old-point-000", out / "point-000");
  const result m = run_igbsim("sweep --merge " + out.string());
  EXPECT_EQ(m.status, 1);
  EXPECT_NE(m.err.find("  point 000 (traffic.flows=1) " + (out / "point-000").string() +
                       ": failed: its report.json is an earlier sweep's, not this one's"),
            std::string::npos)
      << "names the points without a result: " << m.err;
  EXPECT_NE(
      m.err.find("  point 001 (traffic.flows=2) " + (out / "point-001").string() + ": not_run: "),
      std::string::npos)
      << m.err;
  const std::string csv = read_file(out / "sweep.csv");
  EXPECT_EQ(csv.find(",ok,"), std::string::npos) << csv;
  fs::remove_all(d);
}

// A point stopped before its end (a Slurm time limit sends SIGTERM) leaves a partial report:
// the merge marks it incomplete and lists it, never ok.
TEST(Sweep, MergeMarksAPartialPointIncomplete) {
  const fs::path d = fresh_dir("sweep-partial");
  fs::create_directories(d);
  std::ofstream(d / "s.toml")
      << "[set]\n\"traffic.frames\" = 5\n[axes]\n\"traffic.flows\" = [1, 2]\n";
  const fs::path out = d / "out";
  ASSERT_EQ(
      run_igbsim("sweep " + (d / "s.toml").string() + " --jobs 2 --out " + out.string()).status, 0);
  nlohmann::json r = load_report((out / "point-001").string());
  r["complete"] = false;
  std::ofstream(out / "point-001" / "report.json") << r.dump(2);
  const result m = run_igbsim("sweep --merge " + out.string());
  EXPECT_EQ(m.status, 1);
  EXPECT_NE(m.err.find("  point 001 (traffic.flows=2) " + (out / "point-001").string() +
                       ": incomplete: report.json says \"complete\": false"),
            std::string::npos)
      << m.err;
  const std::string csv = read_file(out / "sweep.csv");
  EXPECT_NE(csv.find("\n0,ok,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n1,incomplete,"), std::string::npos) << csv;
  fs::remove_all(d);
}

TEST(Scenario, TheResolvedScenarioReproducesARunWhosePathsHaveQuotesAndBackslashes) {
  const fs::path d = fresh_dir("quoted");
  ASSERT_EQ(run_igbsim("run --quiet --rx-pcap --set traffic.frames=20 --out " + (d / "a").string())
                .status,
            0);
  const fs::path odd = d / "we\"ird\\na me.pcap";
  fs::copy_file(d / "a" / "rx.pcap", odd);
  const std::string cap = R"([traffic]
pcap = ')" + odd.string() +
                          "'\n";
  std::ofstream(d / "s.toml") << cap;
  ASSERT_EQ(
      run_igbsim("run --quiet " + (d / "s.toml").string() + " --out " + (d / "b").string()).status,
      0);
  const result again = run_igbsim("run --quiet " + (d / "b" / "scenario.toml").string() +
                                  " --out " + (d / "c").string());
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(load_report((d / "c").string())["checks"]["delivered"], 20);
  EXPECT_EQ(load_report((d / "b").string())["wire"]["pcap"]["file"], odd.string());
  EXPECT_EQ(load_report((d / "c").string())["wire"]["pcap"]["file"], odd.string());
  fs::remove_all(d);
}

// Times for people: three significant figures in the unit that keeps them short, and a value
// that rounds up to 1000 of a unit moves to the next
TEST(HumanTime, ThreeFiguresInTheShortestUnit) {
  using igbsim::human_time;
  EXPECT_EQ(human_time(128), "128 ns");
  EXPECT_EQ(human_time(43.5), "43.5 ns");
  EXPECT_EQ(human_time(0), "0 ns");
  EXPECT_EQ(human_time(4.44), "4.4 ns");
  EXPECT_EQ(human_time(4350), "4.35 us");
  EXPECT_EQ(human_time(2695256), "2.70 ms");
  EXPECT_EQ(human_time(999.6), "1.00 us");
  EXPECT_EQ(human_time(99960), "100 us");
  EXPECT_EQ(human_time(1.5e9), "1.50 s");
  EXPECT_EQ(human_time(-4350), "-4.35 us");
}

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

// A run of a few seconds: enough frames at line rate
constexpr uint64_t kProgressFrames = 600000;
const std::string kProgressRun =
    fmt::format("run --set traffic.frames={} --set traffic.rate_pct=100", kProgressFrames);

}  // namespace

// Where standard error is no terminal (a Slurm log, a pipe): a plain line every
// --progress-every seconds, each with the percent of the frames offered and the time left; no
// carriage return or escape code.
TEST(Progress, ALogGetsPlainLinesWithPercentDoneAndTimeLeft) {
  const fs::path d = fresh_dir("progress-log");
  const auto t0 = std::chrono::steady_clock::now();
  const result r = run_igbsim(kProgressRun + " --progress-every 0.5 --out " + d.string());
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos);
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos);
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.back(), '\n');
  const std::regex line(
      R"(igbsim: progress: (\d+)% done, \d+\.\d{3} ms simulated, (\d+) frames offered, )"
      R"((\d+ s|\d+ min \d\d s) elapsed, )"
      R"((about (\d+ s|\d+ min \d\d s) left|draining|time left unknown))");
  const auto lines = lines_of(r.err);
  ASSERT_GE(lines.size(), 2u) << "a run of " << wall << " s, a line every 0.5 s:\n" << r.err;
  EXPECT_LE(static_cast<double>(lines.size()), wall / 0.5 + 1) << r.err;
  uint64_t last = 0;
  int with_time_left = 0;
  for (const auto& l : lines) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, line)) << l;
    const uint64_t frames = std::stoull(m[2]);
    EXPECT_EQ(std::stoull(m[1]), frames * 100 / kProgressFrames) << l;
    EXPECT_GE(frames, last) << l;
    last = frames;
    with_time_left += m[5].matched;
  }
  EXPECT_GE(with_time_left, 1) << r.err;
  fs::remove_all(d);
}

// A sweep's point is such a log: a point that runs longer than 10 s writes progress lines
// into its point-NNN.log (on Slurm, its task's output).
TEST(Progress, ALongSweepPointWritesProgressIntoItsLog) {
  const fs::path d = fresh_dir("progress-sweep");
  fs::create_directories(d);
  std::ofstream(d / "s.toml") << "[set]\n\"traffic.rate_pct\" = 100\n[axes]\n\"traffic.frames\" = ["
                              << 4 * kProgressFrames << "]\n";
  const auto t0 = std::chrono::steady_clock::now();
  const result r =
      run_igbsim("sweep " + (d / "s.toml").string() + " --out " + (d / "out").string());
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_GT(wall, 11) << "the point must run longer than the 10 s between lines";
  const std::string log = read_file(d / "out" / "point-000.log");
  EXPECT_EQ(log.find('\r'), std::string::npos);
  const auto all = lines_of(log);
  const auto lines = std::count_if(all.begin(), all.end(), [](const std::string& l) {
    return l.rfind("igbsim: progress: ", 0) == 0;
  });
  EXPECT_GE(lines, 1) << log;
  EXPECT_LE(static_cast<double>(lines), wall / 10) << log;
  fs::remove_all(d);
}

// A run shorter than the interval (10 s by default) prints no progress line at all.
TEST(Progress, AShortRunInALogPrintsNone) {
  const fs::path d = fresh_dir("progress-short");
  const result r = run_igbsim("run --set traffic.frames=3000 --out " + d.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  fs::remove_all(d);
}

// On a terminal (a pty, made by script(1)) the line is rewritten in place with '\r'.
TEST(Progress, ATerminalGetsOneLineRewrittenInPlace) {
  const fs::path d = fresh_dir("progress-tty");
  const std::string cmd = fmt::format("script -qec '{} {} --out {}' /dev/null", IGBSIM_BINARY,
                                      kProgressRun, d.string());
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ASSERT_EQ(::pclose(p), 0) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(\r  \d+% done, .* frames offered, .*left)")))
      << out;
  EXPECT_EQ(out.find("igbsim: progress:"), std::string::npos) << out;
  fs::remove_all(d);
}

TEST(Progress, ABadIntervalIsRefused) {
  const fs::path d = fresh_dir("progress-bad");
  for (const char* v : {"0", "-1", "nan"}) {
    const result r = run_igbsim(fmt::format("run --progress-every {} --out {}", v, d.string()));
    expect_refused(r, v);
    EXPECT_NE(r.err.find("--progress-every"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(d));
  }
}

// sweep --merge names each point without a complete result: its axes, its folder and why; the
// table still has a row for every point, and the exit status says the merge is incomplete.
TEST(Sweep, MergeNamesEachMissingPointWithItsAxesFolderAndWhy) {
  const fs::path d = fresh_dir("sweep-missing");
  fs::create_directories(d);
  std::ofstream(d / "s.toml")
      << "[set]\n\"traffic.frames\" = 5\n[axes]\n\"traffic.flows\" = [1, 2, 3, 4]\n";
  const fs::path out = d / "out";
  ASSERT_EQ(
      run_igbsim("sweep " + (d / "s.toml").string() + " --jobs 2 --out " + out.string()).status, 0);
  std::ifstream pj(out / "points.json");
  const std::string id = json::parse(pj)[0]["sweep_id"];
  // 1: its process could not start (exit 127 recorded) and left no report
  fs::remove(out / "point-001" / "report.json");
  std::ofstream(out / "point-001.exit") << id << ":1 127\n";
  // 2: stopped before its end
  json r = load_report((out / "point-002").string());
  r["complete"] = false;
  r["incomplete_reason"] = "stopped by SIGTERM";
  std::ofstream(out / "point-002" / "report.json") << r.dump(2);
  // 3: no trace at all
  for (const char* f : {"point-003", "point-003.log", "point-003.exit"}) fs::remove_all(out / f);
  const result m = run_igbsim("sweep --merge " + out.string());
  EXPECT_EQ(m.status, 1) << "the merge is incomplete";
  const std::string o = out.string();
  EXPECT_EQ(m.err,
            "igbsim sweep: 3 of 4 points have no complete result; " + o +
                "/sweep.csv has a row for each point, these without a complete one:\n"
                "  point 001 (traffic.flows=2) " +
                o +
                "/point-001: failed: exit status 127: "
                "igbsim could not be started (is the binary on a file system the nodes share?), "
                "no report.json; log " +
                o +
                "/point-001.log\n"
                "  point 002 (traffic.flows=3) " +
                o +
                "/point-002: incomplete: report.json says "
                "\"complete\": false (stopped by SIGTERM); log " +
                o +
                "/point-002.log\n"
                "  point 003 (traffic.flows=4) " +
                o +
                "/point-003: not_run: no folder, no log and "
                "no exit status: it never ran (was its array task submitted, or cancelled before "
                "it started?)\n");
  const auto csv = lines_of(read_file(out / "sweep.csv"));
  ASSERT_EQ(csv.size(), 5u);
  EXPECT_EQ(csv[1].rfind("0,ok,1,5,", 0), 0u) << csv[1];
  EXPECT_EQ(csv[2].rfind("1,failed,2,,", 0), 0u) << csv[2];
  EXPECT_EQ(csv[3].rfind("2,incomplete,3,5,", 0), 0u) << csv[3];
  EXPECT_EQ(csv[4].rfind("3,not_run,4,,", 0), 0u) << csv[4];
  // All there: exit 0 and nothing said on stderr
  const result all = run_igbsim("sweep " + (d / "s.toml").string() + " --jobs 2 --out " + o);
  ASSERT_EQ(all.status, 0);
  const result again = run_igbsim("sweep --merge " + o);
  EXPECT_EQ(again.status, 0);
  EXPECT_EQ(again.err, "");
  fs::remove_all(d);
}

// The sweep file's [slurm] table and the command line's --slurm-* (which win) become #SBATCH
// lines: time and memory for the points' tasks, partition, account and extra flags for the
// merge too. Every script says the binary and the folder must be on a shared file system.
TEST(Sweep, SlurmOptionsBecomeSbatchLinesTheCommandLineWinning) {
  const fs::path d = fresh_dir("sweep-slurm-opts");
  fs::create_directories(d);
  std::ofstream(d / "s.toml")
      << "[set]\n\"traffic.frames\" = 5\n[axes]\n\"traffic.flows\" = [1, 2]\n"
         "[slurm]\ntime = \"1-00:00:00\"\nmem = \"4G\"\npartition = "
         "\"short\"\naccount = \"proj_7\"\nextra = [\"--qos=long\"]\n";
  const fs::path out = d / "out";
  const result r = run_igbsim("sweep " + (d / "s.toml").string() + " --emit-slurm --out " +
                              out.string() + " --slurm-time 90 --slurm-extra=--constraint=avx2");
  ASSERT_EQ(r.status, 0) << r.err;
  auto sbatch_lines = [](const std::string& script) {
    std::vector<std::string> v;
    for (const auto& l : lines_of(script))
      if (l.rfind("#SBATCH ", 0) == 0) v.push_back(l);
    return v;
  };
  const std::string o = out.string();
  EXPECT_EQ(
      sbatch_lines(read_file(out / "sweep.sbatch")),
      (std::vector<std::string>{
          "#SBATCH --job-name=igbsim-sweep", "#SBATCH --array=0-1", "#SBATCH --cpus-per-task=1",
          "#SBATCH --output=" + o + "/slurm-%A_%a.out", "#SBATCH --time=90", "#SBATCH --mem=4G",
          "#SBATCH --partition=short", "#SBATCH --account=proj_7", "#SBATCH --constraint=avx2"}));
  EXPECT_EQ(
      sbatch_lines(read_file(out / "merge.sbatch")),
      (std::vector<std::string>{
          "#SBATCH --job-name=igbsim-sweep-merge", "#SBATCH --output=" + o + "/slurm-merge-%j.out",
          "#SBATCH --partition=short", "#SBATCH --account=proj_7", "#SBATCH --constraint=avx2"}));
  for (const char* f : {"sweep.sbatch", "merge.sbatch", "submit.sh"}) {
    const std::string text = read_file(out / f);
    EXPECT_NE(text.find("# The igbsim binary and this sweep's folder must be on a file system "
                        "that the submit\n# host and the compute nodes share: every task runs "
                        "that binary and writes into that\n# folder, where the merge reads the "
                        "results.\n#   binary: " +
                        fs::canonical(IGBSIM_BINARY).string() + "\n#   folder: " + o + "\n"),
              std::string::npos)
        << f << ":\n"
        << text;
  }
  fs::remove_all(d);
}

// submit.sh takes the job id from `sbatch --parsable` with or without a cluster name
// ("12345;clustername") for the merge's dependency.
TEST(Sweep, SubmitTakesTheJobIdBeforeTheClusterName) {
  const fs::path d = fresh_dir("sweep-parsable");
  fs::create_directories(d / "bin");
  std::ofstream(d / "s.toml")
      << "[set]\n\"traffic.frames\" = 5\n[axes]\n\"traffic.flows\" = [1, 2]\n";
  const fs::path out = d / "out";
  ASSERT_EQ(
      run_igbsim("sweep " + (d / "s.toml").string() + " --emit-slurm --out " + out.string()).status,
      0);
  // A stand-in sbatch: records its arguments, answers as a cluster of a federation does
  const fs::path calls = d / "calls";
  std::ofstream(d / "bin" / "sbatch")
      << "#!/bin/sh\necho \"$@\" >> " << calls.string() << "\necho \"$((12344 + $(wc -l < "
      << calls.string() << ")));clustername\"\n";
  fs::permissions(d / "bin" / "sbatch", fs::perms::owner_all);
  const std::string cmd =
      "PATH=" + (d / "bin").string() + ":$PATH bash " + (out / "submit.sh").string();
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[4096];
  std::string said;
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) said.append(buf, n);
  ASSERT_EQ(::pclose(p), 0) << said;
  EXPECT_EQ(said,
            "igbsim sweep: points submitted as job array 12345, the merge as job 12346 (it runs "
            "once they have all ended)\n");
  EXPECT_EQ(lines_of(read_file(calls)),
            (std::vector<std::string>{
                "--parsable " + (out / "sweep.sbatch").string(),
                "--parsable --dependency=afterany:12345 " + (out / "merge.sbatch").string()}));
  fs::remove_all(d);
}

// Bad Slurm options, from the command line or the sweep file: one line naming what is wrong,
// exit 2, nothing written; a newline or '#' in a value never reaches a script.
TEST(Sweep, BadSlurmOptionsAreRefusedBeforeAnythingIsWritten) {
  const fs::path d = fresh_dir("sweep-slurm-bad");
  fs::create_directories(d);
  const std::string axes = "[set]\n\"traffic.frames\" = 5\n[axes]\n\"traffic.flows\" = [1, 2]\n";
  const fs::path out = d / "out";
  auto refused =
      [&](const std::string& file_tail, const std::string& args, const std::string& expect) {
    std::ofstream(d / "s.toml") << axes << file_tail;
    const result r = run_igbsim("sweep " + (d / "s.toml").string() + " --emit-slurm --out " +
                                out.string() + " " + args);
    expect_refused(r, file_tail + args);
    EXPECT_NE(r.err.find(expect), std::string::npos) << file_tail << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(out)) << file_tail << args;
  };
  refused("", "--slurm-time 1:2:3:4", "--slurm-time '1:2:3:4': not a Slurm time limit");
  refused("", "--slurm-time 2-", "--slurm-time '2-': not a Slurm time limit");
  refused("", "--slurm-time 10min", "--slurm-time '10min': not a Slurm time limit");
  refused("", "--slurm-mem 4X", "--slurm-mem '4X': not a Slurm memory size");
  refused("", "--slurm-mem G", "--slurm-mem 'G': not a Slurm memory size");
  refused("", "--slurm-partition 'a b'", "--slurm-partition 'a b': not a Slurm partition name");
  refused("", "--slurm-account 'x\n#SBATCH --wrap=rm'",
          "--slurm-account 'x\\n#SBATCH --wrap=rm': not a Slurm account name");
  refused("", "--slurm-extra=--array=0-9", "--array is set by the emitted scripts themselves");
  refused("", "--slurm-extra=--arr=0-9", "--array is set by the emitted scripts themselves");
  refused("", "--slurm-extra=--time=5", "--time has a key of its own: give it as time");
  refused("", "--slurm-extra=qos=long", "not an sbatch flag");
  refused("", "--slurm-extra='--comment=a#b'", "'#'");
  refused("[slurm]\ntime = \"10\\n#SBATCH --wrap=x\"\n", "",
          "s.toml:6: slurm.time '10\\n#SBATCH --wrap=x': not a Slurm time limit");
  refused("[slurm]\nextra = [\"--qos=long\", \"--comment=x y\"]\n", "",
          "s.toml:6: slurm.extra '--comment=x y': has a space");
  refused("[slurm]\nmemory = \"4G\"\n", "", "s.toml:6: unknown key 'slurm.memory'");
  refused("[slurm]\npartition = 3\n", "", "s.toml:6: slurm.partition: must be a string");
  // Only with --emit-slurm; an --out whose path an #SBATCH line cannot carry
  std::ofstream(d / "s.toml") << axes;
  expect_refused(
      run_igbsim("sweep " + (d / "s.toml").string() + " --slurm-time 5 --out " + out.string()),
      "--slurm-time without --emit-slurm");
  const fs::path spaced = d / "my out";
  const result sp = run_igbsim("sweep " + (d / "s.toml").string() + " --emit-slurm --out '" +
                               spaced.string() + "'");
  expect_refused(sp, "a folder with a space");
  EXPECT_NE(sp.err.find("cannot carry ' '"), std::string::npos) << sp.err;
  EXPECT_FALSE(fs::exists(spaced));
  EXPECT_FALSE(fs::exists(out));
  fs::remove_all(d);
}
