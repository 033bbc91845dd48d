#!/usr/bin/env bash
# Build a working CmdStan offline (only PyPI and Debian reachable), for cmdstanpy.
#
# Usage: bash build_cmdstan.sh [DEST]      (default DEST: ${XDG_CACHE_HOME:-$HOME/.cache}/brmspy/cmdstan-2.36.0)
#        then: cmdstanpy.set_cmdstan_path(DEST)  or  export CMDSTAN=DEST
# brmspy's tests call it on first need (tests/conftest.py, fixture `cmdstan_home`).
# Takes about 3 minutes on 2 cores; the result is about 160 MB (PCH=false, default)
# and compiles a model in about 20 s (PCH=true: +750 MB, about 10 s per model).
# Skips the build when DEST already holds a finished build (DEST/.built). Concurrent calls with the
# same DEST wait for each other (flock on DEST.lock); an interrupted build is started afresh.
#
# What it assembles:
#   * CmdStan 2.36.0 driver sources (src/cmdstan, make/, makefile, lib/CLI11; BSD-3-Clause),
#     shipped beside this script as cmdstan-2.36.0-src.tar.gz (tag v2.36.0 of stan-dev/cmdstan);
#   * Stan 2.39.0, Stan Math 5.3.0, stanc3 v2.39.0, Eigen 3.4.0, Boost 1.87, SUNDIALS 6.1.1 (prebuilt
#     static libraries) and TBB 2020.3 (prebuilt libtbb.so.2), all from the PyPI wheel httpstan==4.17.0;
#   * reduced stan_math make/ files (written below) and a one-line patch: Stan 2.37+ added a template
#     parameter to stan::services::pathfinder::pathfinder_lbfgs_single.
# cmdstanpy reports version 2.36 (the driver); compiled models report Stan 2.39.
# Knobs: PCH=true|false, JOBS, PYTHON (a Python with cmdstanpy, for the final smoke test; optional).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEST=${1:-${DEST:-${XDG_CACHE_HOME:-$HOME/.cache}/brmspy/cmdstan-2.36.0}}
WORK=${WORK:-$DEST.work}
SRC_TGZ=${SRC_TGZ:-$HERE/cmdstan-2.36.0-src.tar.gz}
PYTHON=${PYTHON:-}
PCH=${PCH:-false}
JOBS=${JOBS:-2}
HTTPSTAN_VERSION=4.17.0

if [ -f "$DEST/.built" ]; then echo "[build_cmdstan] already built: CMDSTAN=$DEST"; exit 0; fi
mkdir -p "$(dirname "$DEST")"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$DEST.lock"
  flock 9   # another build of DEST may be running: wait for it
  if [ -f "$DEST/.built" ]; then echo "[build_cmdstan] already built: CMDSTAN=$DEST"; exit 0; fi
fi
mkdir -p "$WORK"
log() { echo "[build_cmdstan] $*"; }

# ---------------------------------------------------------------- toolchain
if ! command -v g++ >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
  log "installing g++ make from Debian"
  apt-get update && apt-get install -y g++ make
fi

# ---------------------------------------------------------------- httpstan wheel
WHEELS=$WORK/wheels
mkdir -p "$WHEELS"
if ! ls "$WHEELS"/httpstan-$HTTPSTAN_VERSION-*.whl >/dev/null 2>&1; then
  log "downloading httpstan==$HTTPSTAN_VERSION wheel from PyPI"
  "${PIP_PYTHON:-python3}" -m pip download "httpstan==$HTTPSTAN_VERSION" --no-deps --only-binary=:all: \
    --python-version 3.12 --platform manylinux2014_x86_64 -d "$WHEELS"
fi
WHL=$(ls "$WHEELS"/httpstan-$HTTPSTAN_VERSION-*.whl | head -1)
# the wheel the build was made and tested with (PyPI, cp312 manylinux2014_x86_64)
HTTPSTAN_SHA256=7f73e29a415718ddc45e4703c0253a9d4adc6a21aa7110ccf36821a0f94202cd
echo "$HTTPSTAN_SHA256  $WHL" | sha256sum -c -
HS_ROOT=$WORK/httpstan-wheel
rm -rf "$HS_ROOT"; mkdir -p "$HS_ROOT"
"${PIP_PYTHON:-python3}" -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" "$WHL" "$HS_ROOT"
HS=$HS_ROOT/httpstan
chmod +x "$HS/stanc"
"$HS/stanc" --version
grep -E "define STAN_(MAJOR|MINOR|PATCH) " "$HS/include/stan/version.hpp"
grep -E "define STAN_MATH_(MAJOR|MINOR|PATCH) " "$HS/include/stan/math/version.hpp"

# ---------------------------------------------------------------- CmdStan sources
log "unpacking CmdStan 2.36.0 sources from $SRC_TGZ"
rm -rf "$DEST"; mkdir -p "$DEST"
tar -xzf "$SRC_TGZ" -C "$DEST"

# ---------------------------------------------------------------- stan/ layout
S=$DEST/stan
M=$S/lib/stan_math
L=$M/lib
mkdir -p "$S/src/stan" "$M/stan" "$M/make" "$S/lib/rapidjson_1.1.0"
for x in "$HS"/include/stan/*; do
  case "$(basename "$x")" in math|math.hpp) ;; *) cp -r "$x" "$S/src/stan/";; esac
done
cp -r "$HS/include/stan/math" "$HS/include/stan/math.hpp" "$M/stan/"
cp -r "$HS/include/rapidjson" "$S/lib/rapidjson_1.1.0/"
mkdir -p "$L/eigen_3.4.0" "$L/boost_1.87.0" "$L/sundials_6.1.1/include" \
         "$L/sundials_6.1.1/lib" "$L/tbb_2020.3/include" "$L/tbb"
cp -r "$HS/include/Eigen" "$HS/include/unsupported" "$L/eigen_3.4.0/"
cp -r "$HS/include/boost" "$L/boost_1.87.0/"
for x in cvodes idas kinsol nvector sundials sunlinsol sunmatrix sunmemory \
         sunnonlinsol stan_sundials_printf_override.hpp sundials_debug.h; do
  cp -r "$HS/include/$x" "$L/sundials_6.1.1/include/"
done
cp "$HS"/lib/libsundials_*.a "$L/sundials_6.1.1/lib/"
cp -r "$HS/include/tbb" "$L/tbb_2020.3/include/"
cp "$HS/lib/libtbb.so.2" "$L/tbb/"
ln -sf libtbb.so.2 "$L/tbb/libtbb.so"
mkdir -p "$DEST/bin"
cp "$HS/stanc" "$DEST/bin/stanc"; chmod +x "$DEST/bin/stanc"

# ---------------------------------------------------------------- stan_math make/
cat > "$M/make/compiler_flags" <<'EOF'
# Reduced from stan-dev/math make/compiler_flags: Linux/macOS, g++/clang++,
# C++17, prebuilt TBB (libtbb.so.2 from the httpstan wheel).
findfiles = $(strip $(subst \n,,$(foreach d,$(wildcard $(addsuffix *,$(1))),$(call findfiles,$(d)/,$(2)) $(wildcard $(d)/$(2)))))

ifneq ($(OS),Windows_NT)
  OS := $(shell uname -s)
endif
ifeq ($(OS),Darwin)
  LIBRARY_SUFFIX ?= .dylib
endif
ifeq ($(OS),Linux)
  LIBRARY_SUFFIX ?= .so
endif

ifeq (default,$(origin CXX))
  ifeq ($(OS),Darwin)
    CXX := clang++
  else
    CXX := g++
  endif
endif

ifneq (,$(findstring clang,$(CXX)))
  CXX_TYPE ?= clang
endif
ifneq (,$(findstring gcc,$(CXX)))
  CXX_TYPE ?= gcc
endif
ifneq (,$(findstring g++,$(CXX)))
  CXX_TYPE ?= gcc
endif
CXX_TYPE ?= other
CXX_VERSION :=  $(shell $(CXX) -dumpfullversion -dumpversion 2>&1)
CXX_MAJOR := $(word 1,$(subst ., ,$(CXX_VERSION)))
CXX_MINOR := $(word 2,$(subst ., ,$(CXX_VERSION)))

ifdef STAN_NO_RANGE_CHECKS
  CXXFLAGS_NO_RANGE_CHECKS ?= -DSTAN_NO_RANGE_CHECKS
endif

O ?= 3

INC ?= $(INC_FIRST) -I $(if $(MATH),$(MATH),.) -I $(EIGEN) -I $(BOOST) $(INC_SUNDIALS)
INC_SUNDIALS ?= -I $(SUNDIALS)/include

CPPFLAGS_BOOST ?= -DBOOST_DISABLE_ASSERTS
CXXFLAGS_LANG ?= -std=c++17

ifeq ($(OS),Darwin)
  ifeq (clang,$(CXX_TYPE))
    CXXFLAGS_OS ?= -Wno-unknown-warning-option -Wno-tautological-compare -Wno-sign-compare
  endif
endif
ifeq ($(OS),Linux)
  CXXFLAGS_WARNINGS ?= -Wno-sign-compare
  ifeq (gcc,$(CXX_TYPE))
    CXXFLAGS_OS ?= -pthread
  endif
  ifeq (clang,$(CXX_TYPE))
    LDLIBS_OS ?= -lpthread
  endif
endif
CXXFLAGS_OS += -D_REENTRANT
CXXFLAGS_WARNINGS += -Wno-ignored-attributes

# Intel TBB 2020.3: prebuilt libtbb.so.2 copied from the httpstan wheel
TBB_BIN ?= $(MATH)lib/tbb
TBB_BIN_ABSOLUTE_PATH = $(abspath $(TBB_BIN))
TBB_LIBRARIES ?= tbb
ifeq ($(OS),Darwin)
  TBB_TARGETS ?= $(addprefix $(TBB_BIN)/lib,$(addsuffix $(LIBRARY_SUFFIX), $(TBB_LIBRARIES)))
else
  TBB_TARGETS ?= $(addprefix $(TBB_BIN)/lib,$(addsuffix $(LIBRARY_SUFFIX).2,$(TBB_LIBRARIES)))
endif
CXXFLAGS_TBB ?= -I $(TBB)/include
LDFLAGS_TBB ?= -Wl,-L,"$(TBB_BIN_ABSOLUTE_PATH)" -Wl,-rpath,"$(TBB_BIN_ABSOLUTE_PATH)"
LDLIBS_TBB ?= -ltbb

ifdef STAN_THREADS
  CXXFLAGS_THREADS ?= -DSTAN_THREADS
endif
ifdef STAN_MPI
  $(error STAN_MPI is not supported by this offline CmdStan assembly)
endif
ifdef STAN_OPENCL
  $(error STAN_OPENCL is not supported by this offline CmdStan assembly)
endif

override CXXFLAGS += $(CXXFLAGS_LANG) $(CXXFLAGS_OS) $(CXXFLAGS_WARNINGS) $(CXXFLAGS_BOOST) $(CXXFLAGS_EIGEN) $(CXXFLAGS_THREADS) $(CXXFLAGS_TBB) $(CXXFLAGS_FLTO) $(CXXFLAGS_OPTIM) $(CXXFLAGS_NO_RANGE_CHECKS) -O$(O) $(INC)
override CPPFLAGS += $(CPPFLAGS_LANG) $(CPPFLAGS_OS) $(CPPFLAGS_WARNINGS) $(CPPFLAGS_BOOST) $(CPPFLAGS_EIGEN) $(CPPFLAGS_TBB) $(CPPFLAGS_FLTO) $(CPPFLAGS_OPTIM) $(CXXFLAGS_NO_RANGE_CHECKS)
override LDFLAGS += $(LDFLAGS_LANG) $(LDFLAGS_OS) $(LDFLAGS_WARNINGS) $(LDFLAGS_EIGEN) $(LDFLAGS_BOOST) $(LDFLAGS_SUNDIALS) $(LDFLAGS_TBB) $(LDFLAGS_FLTO) $(LDFLAGS_OPTIM)
override LDLIBS += $(LDLIBS_LANG) $(LDLIBS_OS) $(LDLIBS_WARNINGS) $(LDLIBS_EIGEN) $(LDLIBS_BOOST) $(LDLIBS_SUNDIALS) $(LDLIBS_TBB)

.PHONY: print-compiler-flags
print-compiler-flags:
	@echo '  - CXX      ' $(CXX) $(CXX_TYPE) $(CXX_MAJOR).$(CXX_MINOR)
	@echo '  - CXXFLAGS ' $(CXXFLAGS)
	@echo '  - CPPFLAGS ' $(CPPFLAGS)
	@echo '  - LDFLAGS  ' $(LDFLAGS)
	@echo '  - LDLIBS   ' $(LDLIBS)
EOF

cat > "$M/make/dependencies" <<'EOF'
# stan-dev/math make/dependencies
DEPTARGETS = -MT $(patsubst %.d,%.o,$@)
ifeq ($(OS),Windows_NT)
  DEPFLAGS_OS ?= -M -E
else
  DEPFLAGS_OS ?= -MM -E
endif
DEPFLAGS = $(DEPTARGETS) $(DEPFLAGS_OS) -MG -MP -MF $@

%.d: %.cpp
	$(COMPILE.cpp) $(DEPFLAGS) $<

%.d: %.hpp
	$(COMPILE.cpp) $(DEPFLAGS) $<
EOF

cat > "$M/make/libraries" <<'EOF'
# Reduced from stan-dev/math make/libraries: library locations only. SUNDIALS
# static libs and libtbb.so.2 are prebuilt (from the httpstan wheel), so there
# are no build rules for them.
define n


endef

MATH ?=
BOOST ?= $(MATH)lib/boost_1.87.0
EIGEN ?= $(MATH)lib/eigen_3.4.0
TBB ?= $(MATH)lib/tbb_2020.3
SUNDIALS ?= $(MATH)lib/sundials_6.1.1

SUNDIALS_TARGETS ?= $(SUNDIALS)/lib/libsundials_nvecserial.a $(SUNDIALS)/lib/libsundials_cvodes.a $(SUNDIALS)/lib/libsundials_idas.a $(SUNDIALS)/lib/libsundials_kinsol.a
LIBSUNDIALS = $(SUNDIALS_TARGETS)

clean-sundials clean-tbb clean-mpi:
	@echo '  prebuilt libraries: nothing to clean'

.PHONY: clean-libraries clean-sundials clean-mpi clean-tbb
clean-libraries: clean-sundials clean-mpi clean-tbb
EOF

# ---------------------------------------------------------------- patch + local
# Stan >= 2.37: pathfinder_lbfgs_single<ReturnLpSamples, InMultiPathfinder, Model, ...>
sed -i 's/^\(\s*\)false, stan::model::model_base>(/\1false, false, stan::model::model_base>(/' \
  "$DEST/src/cmdstan/command.hpp"
grep -q "false, false, stan::model::model_base>(" "$DEST/src/cmdstan/command.hpp"
if [ "$PCH" != "true" ]; then
  echo "PRECOMPILED_HEADERS = false" > "$DEST/make/local"
fi

# ---------------------------------------------------------------- build
log "make -j$JOBS build"
( cd "$DEST" && time make -j"$JOBS" build )
du -sh "$DEST"

# ---------------------------------------------------------------- test with cmdstanpy
if [ -n "$PYTHON" ] && "$PYTHON" -c "import cmdstanpy" 2>/dev/null; then
  T=$WORK/test-$(basename "$DEST"); rm -rf "$T"; mkdir -p "$T"
  cp "$DEST/examples/bernoulli/bernoulli.stan" "$DEST/examples/bernoulli/bernoulli.data.json" "$T/"
  "$PYTHON" - "$DEST" "$T" <<'EOF'
import sys, time, os, cmdstanpy, pandas as pd
pd.set_option("display.width", 200); pd.set_option("display.max_columns", 20)
cmdstanpy.set_cmdstan_path(sys.argv[1]); T = sys.argv[2]
print("cmdstanpy", cmdstanpy.__version__, "cmdstan_version", cmdstanpy.cmdstan_version())
t0 = time.time()
m = cmdstanpy.CmdStanModel(stan_file=os.path.join(T, "bernoulli.stan"))
print(f"bernoulli compile seconds: {time.time() - t0:.1f}")
fit = m.sample(data=os.path.join(T, "bernoulli.data.json"), chains=4, seed=1234, show_progress=False)
print(fit.summary())
print(fit.diagnose())
EOF
else
  log "cmdstanpy not importable with $PYTHON; skipping test"
fi
rm -rf "$HS_ROOT" "$WORK"/test-*   # keep only the downloaded wheel
touch "$DEST/.built"
log "done: CMDSTAN=$DEST"
