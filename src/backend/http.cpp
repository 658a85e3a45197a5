#include "backend/http.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace eksir::backend {
namespace {

class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// Connects within timeout_ms; returns "" or the reason it failed.
std::string connect_to(Socket& sock, const std::string& host, uint16_t port, int timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0)
    return fmt::format("cannot resolve {}: {}", host, ::gai_strerror(rc));
  std::string last = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    sock.reset(fd);
    int flags = ::fcntl(fd, F_GETFL, 0);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, timeout_ms);
      if (rc == 0) {
        last = "connection timed out";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc != 0) {
      last = std::strerror(errno);
      continue;
    }
    ::fcntl(fd, F_SETFL, flags);
    ::freeaddrinfo(res);
    return "";
  }
  ::freeaddrinfo(res);
  sock.reset(-1);
  return last;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Buffered reads from the socket.
class Reader {
 public:
  explicit Reader(int fd) : fd_(fd) {}
  // Ensures at least n unread bytes are buffered (fewer at end of stream).
  bool fill(size_t n) {
    while (buf_.size() - pos_ < n) {
      if (pos_ > 0 && pos_ == buf_.size()) {
        buf_.clear();
        pos_ = 0;
      }
      char tmp[1 << 16];
      ssize_t got = ::recv(fd_, tmp, sizeof tmp, 0);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        failed_ = true;
        return false;
      }
      if (got == 0) return false;
      buf_.append(tmp, static_cast<size_t>(got));
    }
    return true;
  }
  // Reads a line ending in CRLF (without it); false at end of stream.
  bool line(std::string& out) {
    for (;;) {
      size_t nl = buf_.find("\r\n", pos_);
      if (nl != std::string::npos) {
        out.assign(buf_, pos_, nl - pos_);
        pos_ = nl + 2;
        return true;
      }
      if (!fill(buf_.size() - pos_ + 1)) return false;
    }
  }
  // Hands over up to max buffered bytes (reading more when none are buffered).
  std::string_view take(size_t max) {
    if (pos_ == buf_.size() && !fill(1)) return {};
    size_t n = std::min(max, buf_.size() - pos_);
    std::string_view v(buf_.data() + pos_, n);
    pos_ += n;
    return v;
  }
  bool failed() const { return failed_; }

 private:
  int fd_;
  std::string buf_;
  size_t pos_ = 0;
  bool failed_ = false;
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out.push_back(static_cast<char>(c));
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

HttpReply http_post(const std::string& host, uint16_t port, std::string_view target,
                    std::string_view body, const BodyFn& on_body, int timeout_seconds) {
  HttpReply reply;
  Socket sock;
  if (std::string e = connect_to(sock, host, port, 5000); !e.empty()) {
    reply.error = fmt::format("cannot connect to {}:{}: {}", host, port, e);
    return reply;
  }
  timeval tv{timeout_seconds, 0};
  ::setsockopt(sock.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(sock.fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::string head = fmt::format(
      "POST {} HTTP/1.1\r\nHost: {}:{}\r\nContent-Length: {}\r\nConnection: close\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\n",
      target, host, port, body.size());
  if (!send_all(sock.fd(), head) || !send_all(sock.fd(), body)) {
    reply.error =
        fmt::format("{}:{}: sending the request failed: {}", host, port, std::strerror(errno));
    return reply;
  }
  Reader in(sock.fd());
  std::string line;
  if (!in.line(line) || line.compare(0, 5, "HTTP/") != 0 || line.size() < 12) {
    reply.error = fmt::format("{}:{}: no HTTP reply{}", host, port,
                              in.failed() ? std::string(": ") + std::strerror(errno) : "");
    return reply;
  }
  reply.status = std::atoi(line.c_str() + 9);
  bool chunked = false;
  int64_t length = -1;
  std::string exception_code;
  for (;;) {
    if (!in.line(line)) {
      reply.error = fmt::format("{}:{}: truncated reply headers", host, port);
      return reply;
    }
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string_view name(line.data(), colon);
    std::string_view value(line);
    value.remove_prefix(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (iequals(name, "Transfer-Encoding") && value.find("chunked") != std::string_view::npos)
      chunked = true;
    else if (iequals(name, "Content-Length"))
      length = std::atoll(std::string(value).c_str());
  }
  bool success = reply.status >= 200 && reply.status < 300;
  std::string error_body;
  bool stopped = false;
  auto deliver = [&](std::string_view piece) {
    if (!success) {
      if (error_body.size() < 4096) error_body.append(piece);
      return;
    }
    if (on_body && !stopped && !on_body(piece)) stopped = true;
  };
  bool complete = true;
  if (chunked) {
    for (;;) {
      if (!in.line(line)) {
        complete = false;
        break;
      }
      uint64_t size = std::strtoull(line.c_str(), nullptr, 16);
      if (size == 0) break;
      while (size > 0 && !stopped) {
        std::string_view piece = in.take(size);
        if (piece.empty()) {
          complete = false;
          break;
        }
        deliver(piece);
        size -= piece.size();
      }
      if (!complete || stopped) break;
      if (!in.line(line)) {
        complete = false;
        break;
      }
    }
  } else {
    uint64_t left = length < 0 ? UINT64_MAX : static_cast<uint64_t>(length);
    while (left > 0 && !stopped) {
      std::string_view piece = in.take(std::min<uint64_t>(left, 1 << 20));
      if (piece.empty()) {
        complete = length < 0;
        break;
      }
      deliver(piece);
      left -= piece.size();
    }
  }
  if (!success) {
    while (!error_body.empty() && (error_body.back() == '\n' || error_body.back() == '\r'))
      error_body.pop_back();
    reply.error = error_body.empty() ? fmt::format("HTTP status {}", reply.status) : error_body;
  } else if (!complete && !stopped) {
    reply.error = fmt::format("{}:{}: the reply was cut short{}", host, port,
                              in.failed() ? std::string(": ") + std::strerror(errno) : "");
  }
  return reply;
}

}  // namespace eksir::backend
