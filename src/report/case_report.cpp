// The report of a case in the store: what `eksir report` and `eksir
// investigate` write.
#include <fmt/format.h>

#include <thread>

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <sstream>

#include "report/model.h"
#include "report/report.h"
#include "util/write_file.h"

namespace eksir::report {
namespace {

namespace fs = std::filesystem;

// Renders the whole report, then writes it whole or not at all.
bool write_file(const fs::path& path, const Report& report, Format format, std::string& error) {
  std::ostringstream out;
  render(report, format, out);
  error = util::write_file_atomic(path.string(), out.view());
  return error.empty();
}

}  // namespace

std::optional<ReportInput> load_case(const std::string& case_dir, std::string& error,
                                     std::optional<incident::Investigation> incident) {
  store::Status status;
  auto c = store::Case::open_readonly(case_dir, status);
  if (!c) {
    error = status.error.empty() ? case_dir + ": not a case" : status.error;
    return std::nullopt;
  }
  ReportInput in;
  if (incident) {
    in.incident = std::move(*incident);
  } else if (std::string text = c->latest_incident_json(); !text.empty()) {
    std::string why;
    if (!parse_incident(text, in.incident, why)) {
      error = fmt::format("{}: the latest run's incident: {}", case_dir, why);
      return std::nullopt;
    }
  }
  in.notes = c->notes();
  in.pins = c->pins();
  in.journal = c->journal();
  in.runs = c->runs();
  std::stable_sort(
      in.runs.begin(), in.runs.end(),
      [](const store::RunRecord& a, const store::RunRecord& b) { return a.id < b.id; });
  in.info = c->info();
  if (in.info.dir.empty()) in.info.dir = case_dir;
  if (store::Status read = c->read_status(); !read) {
    error = read.error;
    return std::nullopt;
  }
  return in;
}

bool write_case_reports(const std::string& case_dir, std::string& error,
                        std::optional<incident::Investigation> incident,
                        std::vector<std::string>* written) {
  auto input = load_case(case_dir, error, std::move(incident));
  if (!input) return false;
  const Report report = build_report(*input);
  auto path = [&](Format f) {
    return fs::path(case_dir) / ("report." + std::string(format_extension(f)));
  };
  // The two renderings of one report only read it: Markdown on a thread beside HTML, which then
  // frees the input (the report holds copies) while HTML, the longer one, is still rendering.
  std::string md_error;
  bool md_ok = false;
  std::thread md([&, spent = std::move(*input)]() mutable {
    md_ok = write_file(path(Format::Markdown), report, Format::Markdown, md_error);
    ReportInput drop = std::move(spent);
  });
  bool html_ok = write_file(path(Format::Html), report, Format::Html, error);
  md.join();
  if (written) {
    if (md_ok) written->push_back("report.md");
    if (html_ok) written->push_back("report.html");
  }
  if (!md_ok) error = html_ok ? md_error : md_error + "; " + error;
  return md_ok && html_ok;
}

std::function<bool(const std::string&, const std::string&, std::future<bool>, std::string&,
                   std::vector<std::string>&)>
case_report_writer() {
  return [](const std::string& case_dir, const std::string& incident_json, std::future<bool> saved,
            std::string& error, std::vector<std::string>& written) {
    std::optional<incident::Investigation> incident;
    bool parsed = parse_incident(incident_json, incident, error);
    if (!saved.get()) return true;  // nothing to report on: the caller says why
    return parsed && write_case_reports(case_dir, error, std::move(incident), &written);
  };
}

std::string write_report_file(const std::string& path, const ReportInput& input, Format format) {
  std::string error;
  write_file(path, build_report(input), format, error);
  return error;
}

}  // namespace eksir::report
