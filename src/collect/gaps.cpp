#include "collect/gaps.h"

namespace eksir::collect {

namespace {

bool names(std::string_view line, std::string_view code) {
  return line.find("(" + std::string(code) + ")") != std::string_view::npos;
}

}  // namespace

std::string vulnerability_gap(std::string_view operation, std::string_view line) {
  if (operation == "list-findings") {
    if (names(line, "AccessDeniedException"))
      return "Amazon Inspector refused: it is not enabled (or not scanning ECR) in this account "
             "and region, or the caller may not call inspector2:ListFindings; the bundle has no "
             "Inspector findings";
    if (names(line, "ValidationException"))
      return "Amazon Inspector did not take the query, which it does when it is not enabled in "
             "this account and region; the bundle has no Inspector findings";
    return {};
  }
  if (names(line, "ScanNotFoundException"))
    return "ECR has no scan of this image: scan on push is off and it was never scanned, or "
           "enhanced scanning does not cover the repository";
  if (names(line, "ImageNotFoundException"))
    return "the image is no longer in the repository (deleted, or its tag moved): ECR cannot "
           "say what the running image holds";
  if (names(line, "RepositoryNotFoundException"))
    return "the repository is not in the registry (deleted, or never pushed to)";
  if (names(line, "AccessDeniedException"))
    return "the caller may not call ecr:DescribeImageScanFindings on this repository";
  return {};
}

bool is_answer(std::string_view operation, std::string_view line) {
  return operation == "describe-image-scan-findings" &&
         (names(line, "ScanNotFoundException") || names(line, "ImageNotFoundException"));
}

}  // namespace eksir::collect
