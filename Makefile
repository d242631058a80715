# SPDX-License-Identifier: Apache-2.0
# igbsim: the README's two commands are `make run` and `make test`.
BUILD ?= build
JOBS  ?= $(shell nproc)

.PHONY: setup configure build run test test-slurm san-build test-asan fuzz fuzz-config soak bench equiv profile \
        lint synth clean format format-check check-style

setup:
	@bash scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/igbsim run

# A test that runs 5 minutes has hung (the slowest, the RTL testbench under two simulators,
# takes about 30 s): it fails then, instead of holding CI for ctest's default 25 minutes.
TEST_TIMEOUT = 300
test: build lint check-style
	cd $(BUILD) && ctest --output-on-failure --timeout $(TEST_TIMEOUT) -j $(JOBS) -LE 'bench|soak|slurm'

# A sweep submitted with sbatch to a one-node Slurm that the test starts (slurmctld, slurmd,
# munge; it installs slurm-wlm and munge when missing, as root) and stops again; its sweep.csv
# must equal the same sweep run locally (scripts/slurm_test.sh, ctest -L slurm).
test-slurm: build
	cd $(BUILD) && ctest --output-on-failure --timeout 900 -L slurm

# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer, and the libFuzzer
# targets: one clang build ($(BUILD)-san) serves both. SystemC switches coroutine stacks,
# which ASan's use-after-return detection cannot follow; leak checking is off because SystemC
# keeps its kernel objects until exit.
SAN_ENV = ASAN_OPTIONS=detect_stack_use_after_return=0:detect_leaks=0:abort_on_error=1 \
          UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
san-build: setup
	@CC=clang CXX=clang++ cmake -S . -B $(BUILD)-san -DCMAKE_BUILD_TYPE=Release -DIGBSIM_SANITIZE=ON -DIGBSIM_FUZZ=ON >/dev/null
	@cmake --build $(BUILD)-san -j $(JOBS)

test-asan: san-build
	cd $(BUILD)-san && $(SAN_ENV) ctest --output-on-failure --timeout $(TEST_TIMEOUT) -j $(JOBS) -LE 'bench|soak|slurm'

# Each libFuzzer target for FUZZ_SECONDS; a failing input is kept under $(BUILD)-san/crashes/
# and belongs in testbench/fuzz/regressions/<target>/ once fixed.
FUZZ_SECONDS ?= 60
fuzz: san-build
	$(SAN_ENV) bash scripts/fuzz.sh $(BUILD)-san $(FUZZ_SECONDS)

# Random valid configurations through the sanitizer build of igbsim for FUZZ_SECONDS
# (scripts/fuzz_config.py): each must run clean or be refused as bad input. Findings are kept
# under $(BUILD)-san/fuzz-config/findings/; once fixed they belong in
# testbench/fuzz/regressions/config/. FUZZ_CONFIG_SEED fixes the sequence of draws (CI does).
FUZZ_CONFIG_SEED ?=
fuzz-config: san-build
	$(SAN_ENV) python3 scripts/fuzz_config.py --igbsim $(BUILD)-san/igbsim --seconds $(FUZZ_SECONDS) \
	  --work $(BUILD)-san/fuzz-config $(if $(FUZZ_CONFIG_SEED),--seed $(FUZZ_CONFIG_SEED))

# Ten million frames of mixed load: no violation, nothing unaccounted, memory flat (ctest -L soak).
SOAK_FRAMES ?= 10000000
soak: build
	bash scripts/soak.sh ./$(BUILD)/igbsim $(BUILD)/soak/run $(SOAK_FRAMES)

bench: build
	cd $(BUILD) && ./igbsim-bench bench.json

# A behaviour-preserving change is proven so: `make equiv BASE=<commit>` runs the equivalence set
# (scripts/equiv_set.txt) on BASE's build and this tree's and lists every difference in reports,
# journeys, summaries and waveform value changes; `make profile [BASE=<commit>]` gives callgrind's
# instructions per frame at line rate. Base builds are kept under $(EQUIV_BASES)/.
EQUIV_BASES ?= $(BUILD)-equiv
equiv: build
	@test -n "$(BASE)" || { echo "make equiv: give BASE=<commit>" >&2; exit 2; }
	python3 scripts/equiv.py --base $(BASE) --head $(BUILD)/igbsim --work $(EQUIV_BASES) --runs $(BUILD)-equiv/runs --jobs $(JOBS)

profile: build
	PROFILE_WORK=$(BUILD)-equiv/profile EQUIV_WORK=$(EQUIV_BASES) bash scripts/profile.sh $(BUILD)/igbsim $(BASE)

# Style (CONTRIBUTING.md): `make format` rewrites the C++ as .clang-format lays it out;
# `make format-check` only checks; `make check-style` runs every style check and fails if any
# does: the layout, the SPDX line of each source file (scripts/spdx.sh), no C++ function over
# 150 lines outside data tables (scripts/fn_length.py) and no C++ or SystemVerilog line over
# 100 columns. `make test` (and so CI) runs it.
format: setup
	@bash scripts/format_check.sh --fix

format-check: setup
	@bash scripts/format_check.sh

check-style: setup
	@bash scripts/check_style.sh

synth: setup
	@bash scripts/synth.sh

# The RTL of igb_nic is rtl/files.f's list, as CMake, the RTL testbench and synthesis read it.
lint: setup
	verilator --lint-only -Wall rtl/lint.vlt -f rtl/files.f --top-module igb_nic
	verilator --lint-only -Wall -GNumQ=4 rtl/lint.vlt -f rtl/files.f --top-module igb_nic
	verilator --lint-only -Wall rtl/lint.vlt rtl/igb_sw_probe.sv --top-module igb_sw_probe

clean:
	rm -rf $(BUILD) $(BUILD)-san
