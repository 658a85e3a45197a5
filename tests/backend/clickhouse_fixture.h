// Real ClickHouse servers on loopback for the backend tests: one single server, and two servers
// as the two shards of a cluster, each with its own config and data folder and free ports.
// Started once per test process, on first use, and stopped when the process exits.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "backend/backend.h"
#include "backend/http.h"
#include "test_paths.h"

namespace eksir::test {

inline std::string clickhouse_server_binary() {
  if (const char* env = std::getenv("EKSIR_CLICKHOUSE_SERVER")) return env;
  for (const char* p : {"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server",
                        "/usr/local/bin/clickhouse-server"})
    if (::access(p, X_OK) == 0) return p;
  return "";
}

// Ports nobody listens on now (kept bound together so they differ).
inline std::vector<uint16_t> free_ports(size_t n) {
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  for (size_t i = 0; i < n; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ports.push_back(ntohs(a.sin_port));
    fds.push_back(fd);
  }
  for (int fd : fds) ::close(fd);
  return ports;
}

class ClickHouseServer {
 public:
  ClickHouseServer() = default;
  ClickHouseServer(const ClickHouseServer&) = delete;
  ClickHouseServer& operator=(const ClickHouseServer&) = delete;
  ~ClickHouseServer() { stop(); }

  // Writes the config and starts the server process (not waiting for it).
  bool start(const std::string& dir, uint16_t http, uint16_t tcp, const std::string& clusters,
             std::string& error) {
    dir_ = dir;
    http_port = http;
    std::filesystem::create_directories(dir + "/data");
    std::filesystem::create_directories(dir + "/tmp");
    std::ofstream(dir + "/config.xml")
        << "<?xml version=\"1.0\"?>\n<yandex>\n"
        << "  <logger><level>warning</level><log>" << dir << "/server.log</log><errorlog>" << dir
        << "/server.err.log</errorlog><console>0</console></logger>\n"
        << "  <http_port>" << http << "</http_port>\n  <tcp_port>" << tcp << "</tcp_port>\n"
        << "  <listen_host>127.0.0.1</listen_host>\n"
        << "  <path>" << dir << "/data/</path>\n  <tmp_path>" << dir << "/tmp/</tmp_path>\n"
        << "  <user_files_path>" << dir << "/user_files/</user_files_path>\n"
        << "  <format_schema_path>" << dir << "/format_schemas/</format_schema_path>\n"
        << "  <mark_cache_size>67108864</mark_cache_size>\n"
        << "  <users_config>" << dir << "/users.xml</users_config>\n"
        << "  <default_profile>default</default_profile>\n"
        << "  <default_database>default</default_database>\n"
        << "  <timezone>UTC</timezone>\n  <mlock_executable>false</mlock_executable>\n"
        << clusters << "</yandex>\n";
    std::ofstream(dir + "/users.xml")
        << "<?xml version=\"1.0\"?>\n<yandex>\n"
        << "  <profiles><default><max_memory_usage>1000000000</max_memory_usage></default>"
           "</profiles>\n"
        << "  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>"
           "<profile>default</profile><quota>default</quota></default></users>\n"
        << "  <quotas><default><interval><duration>3600</duration><queries>0</queries>"
           "<errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows>"
           "<execution_time>0</execution_time></interval></default></quotas>\n</yandex>\n";
    std::string bin = clickhouse_server_binary();
    std::string config = "--config-file=" + dir + "/config.xml";
    pid_ = ::fork();
    if (pid_ < 0) {
      error = "fork failed";
      return false;
    }
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the tests
      if (::chdir(dir.c_str()) != 0) ::_exit(127);
      std::string log = dir + "/stdout.log";
      FILE* f = std::freopen(log.c_str(), "w", stdout);
      FILE* g = std::freopen(log.c_str(), "a", stderr);
      (void)f;
      (void)g;
      ::execl(bin.c_str(), bin.c_str(), config.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return true;
  }

  // Waits until the server answers on HTTP.
  bool wait_ready(std::string& error) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        error = "clickhouse-server exited at start; see " + dir_ + "/server.err.log";
        return false;
      }
      auto r = backend::http_post("127.0.0.1", http_port, "/", "SELECT 1", {}, 5);
      if (r.ok()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    error = "clickhouse-server did not answer within 60 s; see " + dir_ + "/server.err.log";
    return false;
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  uint16_t http_port = 0;

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

// The three servers, started on first use; `error` says why when they could not be.
class ClickHouseServers {
 public:
  static ClickHouseServers& get() {
    static ClickHouseServers servers;
    return servers;
  }
  std::string error;
  std::string single_url, sharded_url;
  std::string root;

 private:
  ClickHouseServers() {
    if (clickhouse_server_binary().empty()) {
      error =
          "clickhouse-server not found: install the Debian packages clickhouse-server and "
          "clickhouse-client (scripts/setup.sh does), or set EKSIR_CLICKHOUSE_SERVER";
      return;
    }
    root =
        std::filesystem::temp_directory_path().string() + "/eksir-ch-" + std::to_string(::getpid());
    std::filesystem::remove_all(root);
    auto ports = free_ports(6);
    std::string clusters = "  <remote_servers><eksir_test>";
    for (int s = 0; s < 2; ++s)
      clusters += "<shard><replica><host>127.0.0.1</host><port>" +
                  std::to_string(ports[3 + 2 * s]) + "</port></replica></shard>";
    clusters += "</eksir_test></remote_servers>\n";
    for (int i = 0; i < 3; ++i) servers_.push_back(std::make_unique<ClickHouseServer>());
    if (!servers_[0]->start(root + "/single", ports[0], ports[1], "", error)) return;
    for (int s = 0; s < 2; ++s)
      if (!servers_[1 + s]->start(root + "/shard" + std::to_string(s + 1), ports[2 + 2 * s],
                                  ports[3 + 2 * s], clusters, error))
        return;
    for (auto& s : servers_)
      if (!s->wait_ready(error)) return;
    single_url = "clickhouse://127.0.0.1:" + std::to_string(ports[0]) + "/eksir";
    sharded_url = "clickhouse://127.0.0.1:" + std::to_string(ports[2]) +
                  ",127.0.0.1:" + std::to_string(ports[4]) + "/eksir?cluster=eksir_test";
  }
  ~ClickHouseServers() {
    for (auto& s : servers_) s->stop();
    if (!root.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(root, ec);
    }
  }
  std::vector<std::unique_ptr<ClickHouseServer>> servers_;
};

}  // namespace eksir::test
