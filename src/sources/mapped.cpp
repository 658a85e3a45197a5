#include "sources/mapped.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>

namespace eksir::sources::detail {

namespace {

// Mappings the SIGBUS handler may repair. Lock-free: the handler only reads begin/end and lowers
// bad_from. A slot is claimed with `used`, published by setting begin last.
struct Slot {
  std::atomic<bool> used{false};
  std::atomic<uintptr_t> begin{0}, end{0};
  std::atomic<uint64_t> bad_from{UINT64_MAX};
};
constexpr int kSlots = 64;
Slot slots[kSlots];
uintptr_t page_size = 4096;
struct sigaction previous_action {};
std::once_flag installed;
bool handler_ok = false;

void on_sigbus(int sig, siginfo_t* info, void*) {
  const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  for (auto& s : slots) {
    const uintptr_t begin = s.begin.load(std::memory_order_acquire);
    const uintptr_t end = s.end.load(std::memory_order_acquire);
    if (begin == 0 || addr < begin || addr >= end) continue;
    const uintptr_t page = addr & ~(page_size - 1);
    // Zeros in place of the rest of the mapping: the page and all after it are past the end.
    void* zeros = ::mmap(reinterpret_cast<void*>(page), end - page, PROT_READ,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (zeros == MAP_FAILED) break;
    uint64_t from = page - begin, seen = s.bad_from.load(std::memory_order_relaxed);
    while (from < seen && !s.bad_from.compare_exchange_weak(seen, from)) {
    }
    return;
  }
  // Not a page of ours: the signal does what it did before.
  ::sigaction(SIGBUS, &previous_action, nullptr);
  if (info->si_code <= 0) ::raise(sig);  // sent, not raised by an access that will run again
}

void install() {
  page_size = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  struct sigaction action {};
  action.sa_sigaction = on_sigbus;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  handler_ok = ::sigaction(SIGBUS, &action, &previous_action) == 0;
}

}  // namespace

std::shared_ptr<MappedFile> MappedFile::map(int fd, uint64_t size) {
  std::call_once(installed, install);
  if (!handler_ok || size == 0) return nullptr;
  int slot = -1;
  for (int i = 0; i < kSlots && slot < 0; ++i) {
    bool free = false;
    if (slots[i].used.compare_exchange_strong(free, true)) slot = i;
  }
  if (slot < 0) return nullptr;
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (p == MAP_FAILED) {
    slots[slot].used = false;
    return nullptr;
  }
  ::madvise(p, size, MADV_SEQUENTIAL);
  std::shared_ptr<MappedFile> m(new MappedFile());
  m->data_ = static_cast<const char*>(p);
  m->size_ = size;
  m->slot_ = slot;
  Slot& s = slots[slot];
  const auto begin = reinterpret_cast<uintptr_t>(p);
  s.bad_from = UINT64_MAX;
  s.end.store(begin + ((size + page_size - 1) & ~(page_size - 1)), std::memory_order_release);
  s.begin.store(begin, std::memory_order_release);
  return m;
}

MappedFile::~MappedFile() {
  Slot& s = slots[slot_];
  s.begin.store(0, std::memory_order_release);
  s.end.store(0, std::memory_order_release);
  ::munmap(const_cast<char*>(data_), size_);
  s.used = false;
}

bool MappedFile::damaged() const {
  return damaged_from() != UINT64_MAX;
}

uint64_t MappedFile::damaged_from() const {
  return slots[slot_].bad_from.load(std::memory_order_relaxed);
}

bool MappedFile::claim_damage(uint64_t offset, uint64_t n) const {
  return damaged_from() < offset + n && !reported_.exchange(true);
}

void MappedFile::done_with(uint64_t offset, size_t n) const {
  if (offset >= size_) return;
  const uint64_t begin = offset & ~(page_size - 1);
  ::madvise(const_cast<char*>(data_) + begin, std::min<uint64_t>(offset + n, size_) - begin,
            MADV_DONTNEED);
}

}  // namespace eksir::sources::detail
