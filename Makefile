# igbsim: the README's two commands are `make run` and `make test`.
BUILD ?= build
JOBS  ?= $(shell nproc)

.PHONY: setup configure build run test bench lint synth clean

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

bench: build
	cd $(BUILD) && ./igbsim-bench bench.json

synth: setup
	@bash scripts/synth.sh

lint: setup
	verilator --lint-only -Wall rtl/lint.vlt rtl/igb_pkg.sv $(filter-out rtl/igb_pkg.sv rtl/igb_sw_probe.sv,$(wildcard rtl/*.sv)) --top-module igb_nic
	verilator --lint-only -Wall rtl/lint.vlt rtl/igb_sw_probe.sv --top-module igb_sw_probe

clean:
	rm -rf $(BUILD)
