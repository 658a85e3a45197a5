// The container images a collected snapshot shows, sorted into those Amazon Inspector and ECR
// scanning can speak for (ECR repositories of the cluster's account and region) and the rest.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace eksir::collect {

// A private ECR registry host: ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn] or the dual-stack
// ACCOUNT.dkr-ecr.REGION.on.aws. Account and region are empty when host is none of these.
struct EcrRegistry {
  std::string account, region;
  bool ok() const { return !account.empty(); }
};
EcrRegistry ecr_registry(std::string_view host);

// An image to ask ECR about: by digest when a pod reports the one it runs, else by tag. The
// values are as the evidence has them; the command builders check them.
struct EcrImage {
  std::string repository, digest, tag;
  std::string image;  // the reference as the snapshot names it
};

struct UnscannedImage {
  std::string image, reason;
};

struct ImageSurvey {
  std::vector<EcrImage> ecr;                // one per repository and digest (or tag), in order
  std::vector<std::string> repositories;    // of ecr, each once
  std::vector<UnscannedImage> not_scanned;  // one per reference
};

// The images of the pods and workloads in these snapshot files (kubectl get -o json lists).
// account and region are the cluster's; with no account every image is left unscanned.
ImageSurvey survey_images(const std::vector<std::string>& snapshot_files, std::string_view account,
                          std::string_view region);

}  // namespace eksir::collect
