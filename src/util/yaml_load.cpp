#include "util/yaml_load.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <string>

namespace eksir::util {
namespace {

// Only notes where each document starts; builds nothing.
class DocumentStarts : public YAML::EventHandler {
 public:
  YAML::Mark start;
  void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

std::vector<YAML::Node> load_all_yaml(std::string_view text) {
  std::string copy(text);
  // First the events alone: each document must begin past where the one before it began, else
  // the parser is stuck on a token (and LoadAll would never return).
  {
    std::istringstream in(copy);
    YAML::Parser parser(in);
    DocumentStarts starts;
    bool first = true;
    int last = -1;
    while (parser.HandleNextDocument(starts)) {
      if (!first && starts.start.pos <= last) {
        size_t at = static_cast<size_t>(starts.start.pos);
        std::string what = at < copy.size() ? std::string(1, copy[at]) : std::string("end");
        throw YAML::ParserException(starts.start,
                                    "unexpected '" + what + "' where a YAML value should begin");
      }
      first = false;
      last = starts.start.pos;
    }
  }
  return YAML::LoadAll(copy);
}

}  // namespace eksir::util
