// Private to backend/: sends `eksir load`'s batches from a thread of its own, so that the scan
// builds the next batch while the servers take the last one (the load is bound by the server's
// work as much as by the scan's). One batch is in flight at a time; the shards of a batch go out
// at once, each over its own connection, and the files the batch completes are recorded only
// after every shard accepted its rows.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backend/store.h"

namespace eksir::backend {

class BatchSender {
 public:
  // `table`: the events table each shard is inserted into directly.
  BatchSender(const Store& store, std::string table);
  ~BatchSender();
  BatchSender(const BatchSender&) = delete;
  BatchSender& operator=(const BatchSender&) = delete;

  // Hands over one batch per shard (empty ones are skipped) and the rows of the `files` table to
  // insert once they are in. Waits while the previous batch is being sent, and gives its buffers
  // back in `batches`, empty (their memory is reused). False once a send failed (nothing more is
  // sent).
  bool submit(std::vector<std::string>& batches, std::string file_rows, uint64_t files);
  // Waits until everything submitted is sent; "" or the first failure.
  std::string finish();

  uint64_t batches_sent() const { return batches_sent_; }
  uint64_t files_recorded() const { return files_recorded_; }

 private:
  struct Job {
    std::vector<std::string> batches;
    std::string file_rows;
    uint64_t files = 0;
  };
  void run();
  std::string send(Job& job);

  const Store& store_;
  std::string table_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<Job> job_;
  std::vector<std::string> spare_;  // the buffers of the batch last sent
  bool busy_ = false, closing_ = false;
  std::string failure_;
  uint64_t batches_sent_ = 0, files_recorded_ = 0;
  std::thread worker_;
};

}  // namespace eksir::backend
