#include "backend/batch_sender.h"

namespace eksir::backend {

BatchSender::BatchSender(const Store& store, std::string table)
    : store_(store), table_(std::move(table)), worker_([this] { run(); }) {}

BatchSender::~BatchSender() {
  finish();
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

bool BatchSender::submit(std::vector<std::string>& batches, std::string file_rows, uint64_t files) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !job_ && !busy_; });
  if (!failure_.empty()) return false;
  std::vector<std::string> spare = std::move(spare_);
  spare.resize(batches.size());
  for (auto& b : spare) b.clear();
  job_ = Job{std::move(batches), std::move(file_rows), files};
  batches = std::move(spare);
  changed_.notify_all();
  return true;
}

std::string BatchSender::finish() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !job_ && !busy_; });
  return failure_;
}

void BatchSender::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return job_ || closing_; });
    if (!job_) return;
    Job job = std::move(*job_);
    job_.reset();
    busy_ = true;
    lock.unlock();
    std::string failure = send(job);
    lock.lock();
    spare_ = std::move(job.batches);
    busy_ = false;
    if (failure_.empty()) failure_ = failure;
    changed_.notify_all();
  }
}

std::string BatchSender::send(Job& job) {
  std::vector<size_t> shards;
  for (size_t s = 0; s < job.batches.size(); ++s)
    if (!job.batches[s].empty()) shards.push_back(s);
  std::vector<std::string> errors(job.batches.size());
  auto insert = [&](size_t s) { errors[s] = store_.insert(table_, job.batches[s], s); };
  std::vector<std::thread> others;
  for (size_t i = 1; i < shards.size(); ++i) others.emplace_back(insert, shards[i]);
  if (!shards.empty()) insert(shards[0]);
  for (auto& t : others) t.join();
  for (const auto& e : errors)
    if (!e.empty()) return e;
  batches_sent_ += shards.size();
  if (job.files) {
    if (std::string e = store_.insert(store_.files_table(), job.file_rows); !e.empty()) return e;
    files_recorded_ += job.files;
  }
  return "";
}

}  // namespace eksir::backend
