// SPDX-License-Identifier: Apache-2.0
#include "outdir.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>

#include "params.h"

namespace igbsim {

namespace fs = std::filesystem;

namespace {

const char* const kMarker = ".igbsim";
const char* const kMarkerSchema = "igbsim.output/1";
// In a temporary folder until commit() moves it into place: only a folder that still has it
// is removed as a dead process's temporary (a result the user named NAME.tmp.123 is not)
const char* const kTempMarker = ".igbsim-temp";

bool json_file_says(const fs::path& f, const char* key, const char* value) {
  std::error_code ec;
  if (!fs::is_regular_file(f, ec)) return false;
  // A report.json is a few hundred KB at most; anything far larger is not one of ours.
  if (fs::file_size(f, ec) > (64u << 20) || ec) return false;
  std::ifstream in(f);
  try {
    const auto j = nlohmann::json::parse(in);
    return j.is_object() && j.contains(key) && j[key].is_string() &&
           j[key].get<std::string>() == value;
  } catch (const std::exception&) {
    return false;
  }
}

bool pid_alive(long pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// The PID a sibling name carries right after `prefix` ("NAME.tmp.1234..."), or -1.
long pid_after(const std::string& name, const std::string& prefix) {
  if (name.compare(0, prefix.size(), prefix) != 0) return -1;
  const char* p = name.c_str() + prefix.size();
  if (*p < '0' || *p > '9') return -1;
  return std::strtol(p, nullptr, 10);
}

// The target as an absolute path without "." or ".." parts, trailing slashes or symbolic
// links in the folders above it.
fs::path normalise(const std::string& target) {
  if (target.empty()) throw input_error("--out: the output folder name is empty");
  std::string s = target;
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  fs::path p = fs::absolute(s).lexically_normal();
  std::string n = p.string();
  while (n.size() > 1 && n.back() == '/') n.pop_back();
  std::error_code ec;
  fs::path parent = fs::weakly_canonical(fs::path(n).parent_path(), ec);
  if (ec) parent = fs::path(n).parent_path();
  return parent / fs::path(n).filename();
}

bool is_within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i)
    if (i == inner.end() || *i != *o) return false;
  return true;
}

// The kind a marked folder says it is; a folder known by its report.json alone is a run's.
output_kind kind_of(const fs::path& dir) {
  return json_file_says(dir / kMarker, "kind", "sweep") ? output_kind::sweep : output_kind::run;
}

// Whether igbsim writes an entry of this name into a folder of this kind.
bool ours(const std::string& n, output_kind kind) {
  // waves-view.gtkw: the save file `igbsim waves` writes for a view (waves_cmd.h)
  static const std::set<std::string> run{
      kMarker,   "report.json", "journey.csv",    "scenario.toml",   "waves.fst", "waves.gtkw",
      "rx.pcap", "tx.pcap",     "tx_journey.csv", "waves-view.gtkw", "plots"};
  static const std::set<std::string> sweep{kMarker,        "points.json",  "sweep.csv", "plots",
                                           "sweep.sbatch", "merge.sbatch", "submit.sh"};
  const auto starts = [&n](const char* p) { return n.compare(0, std::strlen(p), p) == 0; };
  const auto ends = [&n](const char* s) {
    return n.size() >= std::strlen(s) &&
           n.compare(n.size() - std::strlen(s), std::string::npos, s) == 0;
  };
  if (kind == output_kind::sweep)
    return sweep.count(n) || starts("point-") || (starts("slurm-") && ends(".out"));
  if (run.count(n)) return true;
  // The waveform's translate files, copied from the source tree's waves/ (main.cpp)
  std::error_code ec;
  return ends(".txt") && fs::is_regular_file(fs::path(IGBSIM_SOURCE_DIR) / "waves" / n, ec);
}

// The first entry of `dir` that igbsim did not write into a folder of `kind`, or "".
std::string foreign_entry(const fs::path& dir, output_kind kind) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (!ours(n, kind)) return n;
  }
  return ec ? std::string("(unreadable: ") + ec.message() + ")" : std::string();
}

const char* kind_name(output_kind k) { return k == output_kind::run ? "run" : "sweep"; }

}  // namespace

bool is_igbsim_output(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  return json_file_says(dir / kMarker, "schema", kMarkerSchema) ||
         json_file_says(dir / "report.json", "schema", "igbsim.report/1");
}

void mark_igbsim_output(const fs::path& dir, output_kind kind) {
  std::ofstream f(dir / kMarker);
  f << nlohmann::json{{"schema", kMarkerSchema}, {"kind", kind_name(kind)}}.dump() << "\n";
  if (!f) throw std::runtime_error((dir / kMarker).string() + ": cannot write");
}

output_dir::output_dir(const std::string& target, output_kind kind, bool merge) : kind_(kind) {
  target_ = normalise(target);
  const std::string shown = target_.string();
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(target_, ec))) {
    // A link to a folder: the result goes where it points. Anything else is not replaced.
    if (!fs::is_directory(fs::status(target_, ec)))
      throw input_error(
          shown +
          ": is a symbolic link to no folder; igbsim does not replace it (choose another --out)");
    target_ = fs::canonical(target_);
  }
  const fs::path cwd = fs::current_path();
  if (merge && !is_igbsim_output(target_))
    throw input_error(shown + ": is not an igbsim " + kind_name(kind) + " folder (it has no " +
                      kMarker + " marker); nothing merged");
  if (target_ == target_.root_path() || (!merge && is_within(cwd, target_)))
    throw input_error(shown + ": is the working folder or one of its parents; igbsim writes only "
                              "into a folder of its own");
  const fs::path parent = target_.parent_path();
  fs::create_directories(parent, ec);
  if (ec || !fs::is_directory(parent))
    throw input_error(shown + ": cannot create the folder it goes in (" +
                      (ec ? ec.message() : "not a folder") + ")");

  // The lock: one igbsim process per target. The file stays empty of meaning beyond the PID;
  // after flock() the path is checked to still name the locked file, since a run that ends
  // unlinks it.
  lock_path_ = parent / ("." + target_.filename().string() + ".igbsim-lock");
  for (;;) {
    lock_fd_ = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0)
      throw input_error(shown + ": cannot create its lock file " + lock_path_.string() + " (" +
                        std::strerror(errno) + ")");
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      char buf[32] = {};
      const ssize_t n = ::pread(lock_fd_, buf, sizeof buf - 1, 0);
      ::close(lock_fd_);
      lock_fd_ = -1;
      const long pid = n > 0 ? std::strtol(buf, nullptr, 10) : 0;
      throw input_error(shown + ": in use by " +
                        (pid > 0 ? "PID " + std::to_string(pid) : std::string("another process")) +
                        " (another igbsim run writes there now)");
    }
    struct stat a {
    }, b{};
    if (::fstat(lock_fd_, &a) == 0 && ::stat(lock_path_.c_str(), &b) == 0 && a.st_ino == b.st_ino &&
        a.st_dev == b.st_dev)
      break;
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd_, 0) != 0 || ::pwrite(lock_fd_, pid.data(), pid.size(), 0) < 0) {
    // The lock holds without the PID; a second run then says "another process".
  }
  try {
    check_target();
  } catch (...) {
    release_lock();  // a refused target leaves nothing behind (the destructor does not run)
    throw;
  }
}

void output_dir::release_lock() {
  if (lock_fd_ < 0) return;
  ::unlink(lock_path_.c_str());
  ::close(lock_fd_);
  lock_fd_ = -1;
}

void output_dir::check_target() {
  const fs::path parent = target_.parent_path();
  const std::string shown = target_.string();
  std::error_code ec;
  const auto st = fs::symlink_status(target_, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st))
      throw input_error(
          shown +
          ": exists and is not a folder; igbsim does not replace it (choose another --out)");
    if (is_igbsim_output(target_)) {
      // Ours, of the same kind, and holding nothing but what igbsim wrote there: a user's file
      // put beside a result is not ours to delete.
      if (kind_of(target_) != kind_)
        throw input_error(fmt::format(
            "{}: is an igbsim {} folder; a {} does not replace it (choose another --out)", shown,
            kind_name(kind_of(target_)), kind_name(kind_)));
      if (const std::string f = foreign_entry(target_, kind_); !f.empty())
        throw input_error(fmt::format(
            "{}: holds {}, which igbsim did not write; igbsim does not replace the folder (move {} "
            "out of it, or choose another --out)",
            shown, f, f));
      earlier_ = true;
    } else if (!fs::is_empty(target_, ec) || ec)
      throw input_error(
          shown + ": exists and is not an igbsim output folder (it has no " + kMarker +
          " marker); igbsim does not replace it (choose another --out, or remove it yourself)");
  }

  // Temporaries of this target left by igbsim processes that are gone.
  const std::string name = target_.filename().string();
  for (const auto& e : fs::directory_iterator(parent, ec)) {
    const std::string n = e.path().filename().string();
    long owner = pid_after(n, name + ".tmp.");
    if (owner < 0) owner = pid_after(n, name + ".trigger.");
    const bool temporary =
        pid_after(n, name + ".tmp.") >= 0 ? fs::exists(e.path() / kTempMarker, ec) : true;
    if (owner >= 0 && owner != ::getpid() && !pid_alive(owner) && temporary &&
        is_igbsim_output(e.path())) {
      std::error_code rm;
      fs::remove_all(e.path(), rm);
      continue;
    }
    const long lock_owner = pid_after(n, "." + name + ".trigger.");
    if (lock_owner >= 0 && !pid_alive(lock_owner) && n.size() > 12 &&
        n.compare(n.size() - 12, 12, ".igbsim-lock") == 0) {
      std::error_code rm;
      fs::remove(e.path(), rm);
    }
  }
}

output_dir::~output_dir() {
  std::error_code ec;
  if (!temp_.empty() && !committed_) fs::remove_all(temp_, ec);
  release_lock();
}

const fs::path& output_dir::make_temp() {
  temp_ =
      target_.parent_path() / (target_.filename().string() + ".tmp." + std::to_string(::getpid()));
  std::error_code ec;
  if (fs::exists(fs::symlink_status(temp_, ec))) {
    if (!is_igbsim_output(temp_))
      throw input_error(temp_.string() + ": exists and is not ours; igbsim does not replace it");
    fs::remove_all(temp_, ec);
  }
  if (!fs::create_directory(temp_, ec) || ec)
    throw input_error(target_.string() + ": cannot create a folder beside it (" + ec.message() +
                      ")");
  mark_igbsim_output(temp_, kind_);
  std::ofstream(temp_ / kTempMarker) << ::getpid() << "\n";
  return temp_;
}

void output_dir::commit() {
  std::error_code ec;
  const auto st = fs::symlink_status(target_, ec);
  const bool exists = fs::exists(st);
  // The result becomes a folder of its own first: the next run must not take it for a dead
  // process's temporary, whatever happens below.
  fs::remove(temp_ / kTempMarker, ec);
  if (exists && (!fs::is_directory(st) ||
                 (!fs::is_empty(target_, ec) &&
                  (!is_igbsim_output(target_) || !foreign_entry(target_, kind_).empty())))) {
    committed_ = true;  // keep the result where it is
    earlier_ = false;   // and what is at the target now is not ours to speak of
    throw std::runtime_error(target_.string() +
                             ": changed during the run and is no longer an igbsim output folder "
                             "holding only what igbsim wrote; the result is in " +
                             temp_.string());
  }
  if (exists && !fs::is_empty(target_, ec)) {
    // Swap the new folder in atomically, then remove the earlier one (now at the temporary name).
    if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
      const fs::path old = target_.parent_path() / (target_.filename().string() + ".tmp." +
                                                    std::to_string(::getpid()) + ".old");
      fs::rename(target_, old);
      fs::rename(temp_, target_);
      committed_ = true;
      fs::remove_all(old, ec);
      return;
    }
    committed_ = true;
    fs::remove_all(temp_, ec);
    return;
  }
  if (exists) fs::remove(target_, ec);  // an empty folder
  fs::rename(temp_, target_);
  committed_ = true;
}

void output_dir::claim_in_place() {
  std::error_code ec;
  if (earlier_) {
    for (const auto& e : fs::directory_iterator(target_)) fs::remove_all(e.path());
  }
  fs::create_directories(target_, ec);
  if (ec) throw input_error(target_.string() + ": cannot create (" + ec.message() + ")");
  mark_igbsim_output(target_, kind_);
}

fs::path output_dir::scratch(const std::string& what) const {
  return target_.parent_path() /
         (target_.filename().string() + "." + what + "." + std::to_string(::getpid()));
}

}  // namespace igbsim
