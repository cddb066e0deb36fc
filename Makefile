# The README's two commands are `make run` and `make test`; the rest are building blocks.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
# Lambda architectures to package: x86_64 (dist/lambda.zip), arm64 (dist/lambda-arm64.zip,
# cross-built in $(ARM64_BUILD)), or all (both; what `make test` needs).
ARCH ?= all
ARM64_BUILD ?= build-arm64
PACKAGE_ARCHES := $(if $(filter all,$(ARCH)),x86_64 arm64,$(ARCH))
ifneq ($(filter-out x86_64 arm64,$(PACKAGE_ARCHES)),)
$(error ARCH=$(ARCH): expected x86_64, arm64 or all)
endif

.PHONY: setup build build-asan test test-unit test-asan run samples package package-x86_64 package-arm64 lint format bench up down backfill clean

setup:
	@scripts/setup.sh

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

build-asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIMGPIPE_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)

samples:
	@scripts/make-samples.sh

package: $(addprefix package-,$(PACKAGE_ARCHES))

package-x86_64: build
	@scripts/package-lambda.sh $(BUILD) dist/lambda.zip x86_64

# Only what the zip needs (the runtime and its launcher), cross-compiled with Debian's aarch64
# toolchain.
package-arm64:
	cmake -S . -B $(ARM64_BUILD) -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ARM64_BUILD) -j $(JOBS) --target bootstrap lambda_launcher
	@scripts/package-lambda.sh $(ARM64_BUILD) dist/lambda-arm64.zip arm64

# Every test: unit, integration, e2e and offline Terraform checks (release build), then the
# unit, integration, parity and CLI suites again under ASan+UBSan.
test: setup build samples package
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	$(MAKE) test-asan

test-asan: build-asan
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -L "unit|integration|parity|cli"

run: setup build samples package
	@scripts/demo.sh $(BUILD)

lint:
	@scripts/lint.sh $(BUILD)

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

bench: setup
	@scripts/setup.sh bench
	@$(MAKE) build CMAKE_FLAGS=-DIMGPIPE_BENCH=ON
	@bench/run.sh $(BUILD)

up: setup build package
	@local/stack.sh up

down:
	@local/stack.sh down

# The objects already in the input bucket of the `make up` stack (started if it is not running),
# through the function as S3 Batch Operations would run it on AWS: one schema 2.0 task per object,
# a summary by result code. BACKFILL_FLAGS: local/stack.sh backfill --help.
BACKFILL_FLAGS ?=
backfill: up
	@local/stack.sh backfill $(BACKFILL_FLAGS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(ARM64_BUILD) dist out
