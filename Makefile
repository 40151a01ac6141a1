# Caremesh: the two commands.
#   make run    installs what is missing, builds, and opens the demo clinic
#   make check  installs what is missing, builds, and runs every test (UI tests under Xvfb)
# Also: make build, make bench (100,000-patient benchmark), make clean.

BUILD      ?= _build
BENCH_DB   ?= $(BUILD)/bench-100k.db
XVFB       := xvfb-run -a -s "-screen 0 1366x768x24"

# Debian 12 packages needed to build, run and test.
DEPS := meson ninja-build pkg-config gcc libc6-dev \
        libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev libadwaita-1-dev libsqlite3-dev \
        libcairo2-dev libpango1.0-dev poppler-utils \
        libsoup-3.0-dev libjson-glib-dev libgnutls28-dev libsodium-dev libavahi-client-dev libavahi-glib-dev avahi-daemon glib-networking gettext libxml2-utils appstream desktop-file-utils \
        xvfb xauth xdotool dbus adwaita-icon-theme librsvg2-common fonts-cantarell python3

.PHONY: all deps setup build run check check-asan bench clean

all: build

deps:
	@missing=""; \
	for p in $(DEPS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
	  echo "Please install:$$missing (not a Debian system; install them with your package manager)"; exit 1; \
	fi; \
	sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	echo "Installing:$$missing"; \
	$$sudo apt-get update -q && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing

setup: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --buildtype=debugoptimized -Dwarning_level=2

build: setup
	meson compile -C $(BUILD)

# The app runs from the build tree: schemas from the build, icons from data/.
RUN_ENV := GSETTINGS_SCHEMA_DIR=$(BUILD)/data \
           XDG_DATA_DIRS="$(CURDIR)/data:$${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"

run: build
	$(RUN_ENV) $(BUILD)/src/caremesh --demo

check: build
	$(XVFB) meson test -C $(BUILD) --print-errorlogs --num-processes 2

# The same tests, built with AddressSanitizer and UndefinedBehaviorSanitizer.
check-asan: deps
	@[ -f $(BUILD)-asan/build.ninja ] || meson setup $(BUILD)-asan --buildtype=debug -Db_sanitize=address,undefined
	meson compile -C $(BUILD)-asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	CAREMESH_FUZZ_OPS=2000 meson test -C $(BUILD)-asan --print-errorlogs --num-processes 2 --suite unit
	@# The program under test also loads GIO and pixbuf modules that it unloads before
	@# exit, whose leaks cannot be attributed; the UI suite checks memory errors only.
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	$(XVFB) meson test -C $(BUILD)-asan --print-errorlogs --suite ui --logbase testlog-ui

bench: build
	$(RUN_ENV) $(XVFB) $(BUILD)/src/caremeshctl bench --db $(BENCH_DB) --patients 100000

clean:
	rm -rf $(BUILD) $(BUILD)-asan
