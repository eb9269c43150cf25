# Parley: `make run` to chat, `make test` to check everything. Both install what is missing.
BUILD    ?= build
TYPE     ?= Release
PORT     ?= 8080
DATA     ?= ./data
JOBS     ?= $(shell nproc)
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# ccache keeps compiled objects outside the clone (~/.cache/ccache), so a second clone or a
# rebuild on the same machine is warm; paths are made relative to this folder so that two
# clones share the cache.
export CCACHE_BASEDIR := $(CURDIR)
LAUNCHER  = $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# Debian 12 packages: to build and run, then what the tests add.
BUILD_PACKAGES := cmake ninja-build g++ make libboost1.81-dev libboost-json1.81-dev \
                  libboost-url1.81-dev libssl-dev libsqlite3-dev libyaml-cpp-dev libjemalloc-dev ccache \
                  libcli11-dev
TEST_PACKAGES  := libgtest-dev libgmock-dev chromium openssl sqlite3 clang-14 libclang-rt-14-dev llvm-14 \
                  python3-boto3

.PHONY: all deps test-deps configure build run test unit clean package-test sanitize-test

all: build

# Installs only the packages that are missing (apt-get update only when something is).
# The end-to-end tests need Node.js 20 or newer; Debian 12's own nodejs is 18 (bookworm-backports
# has none), so the recipe below adds NodeSource's apt repository. Printed, never run: adding an
# apt source is the machine owner's decision.
define node_recipe
echo "The end-to-end tests need Node.js 20 or newer; Debian 12 ships 18. Install Node.js 20 from"; \
echo "NodeSource's apt repository (its nodejs package includes npm), then run make again:"; \
echo "  sudo apt-get install -y ca-certificates curl gnupg"; \
echo "  curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | sudo gpg --dearmor -o /usr/share/keyrings/nodesource.gpg"; \
echo "  echo 'deb [signed-by=/usr/share/keyrings/nodesource.gpg] https://deb.nodesource.com/node_20.x nodistro main' | sudo tee /etc/apt/sources.list.d/nodesource.list"; \
echo "  sudo apt-get update && sudo apt-get install -y nodejs"; \
echo "(If Debian's nodejs 18 and npm are installed, remove them first: sudo apt-get remove -y nodejs npm)";
endef

define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_install,$(BUILD_PACKAGES))

test-deps: deps
	$(call apt_install,$(TEST_PACKAGES))
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq; \
	  candidate=$$(apt-cache policy nodejs | sed -n 's/^ *Candidate: *\([0-9]*\).*/\1/p'); \
	  if [ "$${candidate:-0}" -lt 20 ]; then $(node_recipe) exit 1; fi; \
	  echo "Installing: nodejs npm"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || { \
	  echo "node --version: $$(node --version)"; $(node_recipe) exit 1; }
	npm ci --prefix test/integration --no-audit --no-fund --loglevel=error

configure:
	@[ -f $(BUILD)/build.ninja ] || cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(TYPE) $(LAUNCHER)

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/parley serve --port $(PORT) --data $(DATA)

# Every test (unit, integration over real sockets and DynamoDB-compatible dynalite, browser)
# through ctest. The Lambda package's own tests rebuild everything statically: `make package-test`.
test: test-deps build
	cd $(BUILD) && ctest --output-on-failure -j 2 -LE package

# Builds deploy/build/parley-lambda.zip and runs its bootstrap from an empty folder.
package-test: test-deps build
	cd $(BUILD) && ctest --output-on-failure -L package

# Only the GoogleTest suites.
unit: build
	cd $(BUILD) && ctest --output-on-failure -L unit -j $(JOBS)

clean:
	rm -rf $(BUILD)

# The unit tests, the libFuzzer targets (a short run each) and the e2e suites that exercise the
# frame path and the handlers, all built by clang with AddressSanitizer + UndefinedBehavior-
# Sanitizer (+ LeakSanitizer) in their own build directory. Every sanitizer report of every
# process (the servers the e2e suites start included) lands in $(SAN_BUILD)/sanitizer-logs;
# any report fails the target. docs/testing.md: longer fuzz runs.
SAN_BUILD  ?= build-asan
SAN_SUITES ?= chat errors limits messages hostile faults management_listener
SAN_LOGS    = $(abspath $(SAN_BUILD))/sanitizer-logs
SAN_ENV     = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=$(SAN_LOGS)/asan \
              UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(SAN_LOGS)/ubsan \
              LSAN_OPTIONS=suppressions=$(abspath .ci/lsan.supp)
sanitize-test: test-deps
	@[ -f $(SAN_BUILD)/build.ninja ] || CC=clang-14 CXX=clang++-14 cmake -S . -B $(SAN_BUILD) -G Ninja $(LAUNCHER) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPARLEY_SANITIZE=address,undefined -DPARLEY_FUZZ=ON
	cmake --build $(SAN_BUILD) -j $(JOBS)
	rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	cd $(SAN_BUILD) && $(SAN_ENV) ctest --output-on-failure -j 2 -L unit
	cd $(SAN_BUILD) && $(SAN_ENV) ctest --output-on-failure -j 2 -L fuzz
	cd $(SAN_BUILD) && $(SAN_ENV) ctest --output-on-failure -j 2 \
	  -R '^integration\.($(shell echo $(SAN_SUITES) | tr ' ' '|'))$$'
	@if [ -n "$$(ls -A $(SAN_LOGS))" ]; then echo "Sanitizer reports:"; cat $(SAN_LOGS)/*; exit 1; fi
	@echo "sanitize-test: no sanitizer report"

# The Lambda package (docs/deploy.md): deploy/build/parley-lambda.zip with a statically linked
# `bootstrap` at its root, for provided.al2023 on x86_64. Its own build directory, because every
# library there is the static one that Debian's -dev packages ship.
PACKAGE_BUILD ?= build-package
PACKAGE_ZIP   := deploy/build/parley-lambda.zip
PACKAGE_LIBS  := /usr/lib/$(shell gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)

.PHONY: package
package: deps
	@[ -f $(PACKAGE_BUILD)/build.ninja ] || cmake -S . -B $(PACKAGE_BUILD) -G Ninja $(LAUNCHER) \
	  -DCMAKE_BUILD_TYPE=Release -DPARLEY_TESTS=OFF \
	  -DBoost_USE_STATIC_LIBS=ON -DOPENSSL_USE_STATIC_LIBS=ON \
	  -DSQLite3_LIBRARY=$(PACKAGE_LIBS)/libsqlite3.a \
	  -DCMAKE_EXE_LINKER_FLAGS=-static
	cmake --build $(PACKAGE_BUILD) --target bootstrap -j $(JOBS)
	rm -rf deploy/build/package && mkdir -p deploy/build/package
	strip -o deploy/build/package/bootstrap $(PACKAGE_BUILD)/bootstrap
	chmod 755 deploy/build/package/bootstrap
	rm -f $(PACKAGE_ZIP)
	cd deploy/build/package && cmake -E tar cf ../parley-lambda.zip --format=zip bootstrap
	@echo "$(PACKAGE_ZIP): $$(du -h $(PACKAGE_ZIP) | cut -f1), bootstrap: $$(file -b deploy/build/package/bootstrap | cut -d, -f1-2)"
