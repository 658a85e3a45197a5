// A minimal HTTP/1.1 client over POSIX sockets: one POST per connection, enough for ClickHouse's
// HTTP interface (plain HTTP on a trusted network; no TLS, no redirects, no proxies).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace eksir::backend {

struct HttpReply {
  int status = 0;     // 0 when no reply was received (error says why)
  std::string error;  // connection problems; or the body of a non-2xx reply
  bool ok() const { return status >= 200 && status < 300 && error.empty(); }
};

// Receives the body of a 2xx reply piece by piece; return false to stop reading early.
using BodyFn = std::function<bool(std::string_view)>;

// POSTs `body` to http://host:port/target. The body of a 2xx reply goes to on_body (or is
// dropped when on_body is empty); a non-2xx body is kept in error. Never throws.
HttpReply http_post(const std::string& host, uint16_t port, std::string_view target,
                    std::string_view body, const BodyFn& on_body, int timeout_seconds = 600);

// Percent-encodes a query-string value.
std::string url_encode(std::string_view text);

}  // namespace eksir::backend
