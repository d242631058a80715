# igbsim: the README's two commands are `make run` and `make test`.
BUILD ?= build
JOBS  ?= $(shell nproc)

.PHONY: setup configure build run test test-asan fuzz bench lint synth clean

setup:
	@bash scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/igbsim run

test: build lint
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE bench

# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer (a separate build).
# SystemC switches coroutine stacks, which ASan's use-after-return detection cannot follow;
# leak checking is off because SystemC keeps its kernel objects until exit.
SAN_ENV = ASAN_OPTIONS=detect_stack_use_after_return=0:detect_leaks=0:abort_on_error=1 \
          UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
test-asan: setup
	@cmake -S . -B $(BUILD)-asan -DCMAKE_BUILD_TYPE=Release -DIGBSIM_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD)-asan -j $(JOBS)
	cd $(BUILD)-asan && $(SAN_ENV) ctest --output-on-failure -j $(JOBS) -LE bench

# libFuzzer targets (clang), each run for FUZZ_SECONDS; a failing input is kept under
# $(BUILD)-fuzz/crashes/ and belongs in testbench/fuzz/regressions/<target>/ once fixed.
FUZZ_SECONDS ?= 60
fuzz: setup
	@CC=clang CXX=clang++ cmake -S . -B $(BUILD)-fuzz -DCMAKE_BUILD_TYPE=Release -DIGBSIM_FUZZ=ON >/dev/null
	@cmake --build $(BUILD)-fuzz -j $(JOBS) --target fuzz_rx_path fuzz_mmio fuzz_scenario
	$(SAN_ENV) bash scripts/fuzz.sh $(BUILD)-fuzz $(FUZZ_SECONDS)

bench: build
	cd $(BUILD) && ./igbsim-bench bench.json

synth: setup
	@bash scripts/synth.sh

lint: setup
	verilator --lint-only -Wall rtl/lint.vlt rtl/igb_pkg.sv $(filter-out rtl/igb_pkg.sv rtl/igb_sw_probe.sv,$(wildcard rtl/*.sv)) --top-module igb_nic
	verilator --lint-only -Wall rtl/lint.vlt rtl/igb_sw_probe.sv --top-module igb_sw_probe

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-fuzz
