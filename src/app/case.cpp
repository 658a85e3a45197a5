// `eksir case list|show|note|close|reopen` and `eksir case export`.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <ostream>

#include "app/app.h"
#include "app/steps.h"
#include "store/store.h"
#include "util/visible.h"

namespace eksir::app {
namespace {

// Text from the case (titles, names, notes: evidence and what people typed) as it may be shown.
std::string shown(std::string_view s) {
  return util::visible(s);
}

struct State {
  State(const CaseCommand& c, std::ostream& o, std::ostream& e)
      : cmd(c), out(o), err(e), prefix("eksir case " + shown(c.action) + ": ") {}
  const CaseCommand& cmd;
  std::ostream& out;
  std::ostream& err;
  const std::string prefix;
  std::string dir;
  std::unique_ptr<store::Case> c;
};

StepResult check_format(State& s) {
  if (s.cmd.format != "text" && s.cmd.format != "json") {
    s.err << s.prefix << "--format must be text or json\n";
    return stop(2);
  }
  return next();
}

StepResult list(State& s) {
  if (s.cmd.action != "list") return next();
  std::string root = s.cmd.root.empty() ? store::default_case_root() : s.cmd.root;
  auto cases = store::list_cases(root);
  if (s.cmd.format == "json") {
    s.out << store::case_list_json(root, cases);
    return stop(0);
  }
  if (cases.empty()) {
    s.err << "eksir case list: no cases under " << shown(root) << "\n";
    return stop(0);
  }
  s.out << store::case_list_text(cases, s.cmd.width, s.cmd.colour);
  return stop(0);
}

StepResult check_action(State& s) {
  const std::string& a = s.cmd.action;
  if (a != "show" && a != "note" && a != "close" && a != "reopen") {
    s.err << "eksir case: unknown action '" << shown(a) << "' (list, show, note, close, reopen)\n";
    return stop(2);
  }
  if (s.cmd.target.empty()) {
    s.err << s.prefix << "which case? (a case directory or id)\n";
    return stop(2);
  }
  if ((a == "note" || a == "close") && s.cmd.text.empty()) {
    s.err << s.prefix << (a == "note" ? "the note is empty" : "--reason is required") << "\n";
    return stop(2);
  }
  return next();
}

StepResult open_case(State& s) {
  s.dir = store::resolve_case(s.cmd.target);
  store::Status st;
  // show only reads: the case is not migrated or otherwise written by it.
  s.c = s.cmd.action == "show" ? store::Case::open_readonly(s.dir, st)
                               : store::Case::open(s.dir, false, st);
  if (!s.c) {
    s.err << s.prefix << shown(st.error) << "\n";
    return stop(2);
  }
  return next();
}

StepResult show(State& s) {
  if (s.cmd.action != "show") return next();
  // Shown only once every read succeeded: a damaged case is not shown as an empty one.
  std::string text = s.cmd.format == "json"
                         ? store::case_show_json(*s.c)
                         : store::case_show_text(*s.c, s.cmd.width, s.cmd.colour);
  if (store::Status read = s.c->read_status(); !read) {
    s.err << s.prefix << read.error << "\n";
    return stop(2);
  }
  s.out << text;
  return stop(0);
}

StepResult change(State& s) {
  store::Status st;
  if (s.cmd.action == "note") {
    store::Note n;
    n.author = s.cmd.author;
    n.text = s.cmd.text;
    st = s.c->add_note(n);
    if (st) s.out << "note " << n.id << " added to " << shown(s.dir) << "\n";
  } else if (s.cmd.action == "close") {
    st = s.c->close(s.cmd.text);
    if (st) s.out << "closed " << shown(s.dir) << "\n";
  } else {
    st = s.c->reopen();
    if (st) s.out << "reopened " << shown(s.dir) << "\n";
  }
  if (!st) {
    s.err << s.prefix << shown(st.error) << "\n";
    return stop(2);
  }
  return next();
}

// The case is closed before the command returns, whatever the steps did.
void close_case(State& s) {
  s.c.reset();
}

struct Export {
  Export(const CaseExport& x, std::ostream& o, std::ostream& e) : x(x), out(o), err(e) {}
  const CaseExport& x;
  std::ostream& out;
  std::ostream& err;
  static constexpr std::string_view prefix = "eksir case export: ";
};

StepResult check_output(Export& s) {
  if (s.x.target.empty() || s.x.output.empty()) {
    s.err << s.prefix << "give the case and -o FILE.tar.gz\n";
    return stop(2);
  }
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(s.x.output, ec)) && !s.x.force) {
    s.err << s.prefix << util::visible(s.x.output)
          << " exists; give another -o, or --force to replace it\n";
    return stop(2);
  }
  return next();
}

StepResult write_package(Export& s) {
  std::string dir = store::resolve_case(s.x.target);
  store::ExportedCase done = store::export_case(dir, s.x.output);
  if (!done.error.empty()) {
    s.err << s.prefix << done.error << "\n";
    return stop(2);
  }
  s.out << fmt::format(
      "exported {} to {}: {} files, {} bytes\nmanifest digest (SHA-256 of "
      "manifest.sha256): {}\n",
      util::visible(dir), util::visible(s.x.output), done.files, done.bytes, done.manifest_digest);
  return next();
}

}  // namespace

int case_command(const CaseCommand& cmd, std::ostream& out, std::ostream& err) {
  State s(cmd, out, err);
  return run_steps(s, {check_format, list, check_action, open_case, show, change}, close_case);
}

int case_export(const CaseExport& x, std::ostream& out, std::ostream& err) {
  Export s(x, out, err);
  return run_steps(s, {check_output, write_package});
}

}  // namespace eksir::app
