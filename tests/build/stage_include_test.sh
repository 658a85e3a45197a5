#!/usr/bin/env bash
# The stage check in the build (src/CMakeLists.txt): a stage sees only its own folder and those of
# the stages it declares. Compiles a probe as a file of an early stage (event) would be compiled,
# with that stage's include path: including a later stage's header must fail for want of the
# header, and including the stage's own header and a declared one (util) must compile.
# Usage: stage_include_test.sh CXX BUILD_DIR SOURCE_DIR
set -u
cxx="$1" build="$2" src="$3"
view="$build/stage-include"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
flags=(-std=c++20 -fsyntax-only -I"$view/event" -I"$view/util")
# Later stages, each named by its public header; app, the commands, is after every stage.
for later in report/report.h incident/incident.h detect/detect.h sources/sources.h store/store.h \
  app/app.h; do
  printf '#include "%s"\n' "$later" > "$tmp/backward.cpp"
  if "$cxx" "${flags[@]}" "$tmp/backward.cpp" 2> "$tmp/err"; then
    echo "FAIL: the event stage compiled with #include \"$later\""
    status=1
  # g++: "report/report.h: No such file or directory"; clang++: "'report/report.h' file not found"
  elif ! grep -q -e "$later: No such file or directory" -e "'$later' file not found" "$tmp/err"; then
    echo "FAIL: #include \"$later\" in the event stage failed for another reason:"
    cat "$tmp/err"
    status=1
  else
    echo "ok: #include \"$later\" in the event stage does not compile"
  fi
done
# The stage's own header and its declared dependency compile.
printf '#include "event/event.h"\n#include "util/time.h"\nint main() { return eksir::kNoTime == 0; }\n' \
  > "$tmp/forward.cpp"
if ! "$cxx" "${flags[@]}" "$tmp/forward.cpp" 2> "$tmp/err"; then
  echo "FAIL: the event stage cannot include its own header and util's:"
  cat "$tmp/err"
  status=1
else
  echo "ok: the event stage includes event/ and util/"
fi
# Every stage's view holds itself and nothing else.
for dir in "$view"/*/; do
  stage=$(basename "$dir")
  entries=$(ls "$dir")
  if [ "$entries" != "$stage" ]; then
    echo "FAIL: $dir holds '$entries', not only $stage"
    status=1
  fi
done
# The commands are a stage too (app), after every other: the header the probe above could not
# include is there.
[ -d "$view/app/app" ] || { echo "FAIL: no app stage in $view"; status=1; }
[ -d "$src/src/event" ] || { echo "FAIL: no source tree at $src"; status=1; }
exit $status
