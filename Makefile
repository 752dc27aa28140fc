# NiemTin - the user interface of the build.  Every target installs missing
# Debian packages first (scripts/deps, idempotent), then drives CMake.
#
#   make run     build and start NiemTin (see README)
#   make test    sanitizer build (ASan+UBSan, -Werror) and every test via ctest
#   make bench   release build and the benchmarks (JSON on stdout): build/bench_*,
#                then bench/*.sh (the HTTP server beside nginx)
#   make fuzz    libFuzzer harnesses, FUZZ_SECONDS each (default 60)
#   make fuzz-smoke  every harness for a few seconds (CI)

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
TEST_BUILD ?= build-test
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
SMOKE_SECONDS ?= 5

.PHONY: all deps build run test bench fuzz fuzz-smoke format clean

all: build

deps:
	@./scripts/deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	@./scripts/run-demo $(BUILD)/niemtin

test: deps
	@cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNT_SANITIZE=ON >/dev/null
	@cmake --build $(TEST_BUILD) -j $(JOBS)
	@cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	@for b in $(BUILD)/bench_*; do echo "== $$b" >&2; $$b || exit 1; done
	@for s in bench/*.sh; do echo "== $$s" >&2; sh $$s $(BUILD)/niemtin || exit 1; done

$(FUZZ_BUILD)/.built: deps
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNT_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)

fuzz: deps
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNT_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@./scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-smoke: deps
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DNT_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@./scripts/fuzz $(FUZZ_BUILD) $(SMOKE_SECONDS)

format:
	@clang-format -i include/niemtin/*.h lib/*/*.[ch] src/*.[ch] tests/*.[ch] bench/*.c fuzz/*.c

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(FUZZ_BUILD)
