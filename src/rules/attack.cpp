#include "rules/rules.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "util/text.h"

namespace eksir::rules {
namespace {

struct Tactic {
  std::string_view id, name;
};
// The Enterprise matrix, left to right.
constexpr std::array<Tactic, 14> kTactics = {{
    {"TA0043", "reconnaissance"},
    {"TA0042", "resource-development"},
    {"TA0001", "initial-access"},
    {"TA0002", "execution"},
    {"TA0003", "persistence"},
    {"TA0004", "privilege-escalation"},
    {"TA0005", "defense-evasion"},
    {"TA0006", "credential-access"},
    {"TA0007", "discovery"},
    {"TA0008", "lateral-movement"},
    {"TA0009", "collection"},
    {"TA0011", "command-and-control"},
    {"TA0010", "exfiltration"},
    {"TA0040", "impact"},
}};
// ATT&CK v19 splits defense-evasion in two; newer Sigma rules tag the halves.
constexpr std::array<std::string_view, 2> kDefenseEvasionHalves = {"stealth", "defense-impairment"};
constexpr int kDefenseEvasionRank = 6;

// Short tactic tags for the table below.
constexpr std::string_view RE = "reconnaissance", RD = "resource-development",
                           IA = "initial-access", EX = "execution", PE = "persistence",
                           PR = "privilege-escalation", DE = "defense-evasion",
                           CA = "credential-access", DI = "discovery", LM = "lateral-movement",
                           CO = "collection", C2 = "command-and-control", XF = "exfiltration",
                           IM = "impact", DX = "defense-impairment";

struct Technique {
  std::string_view id;
  std::array<std::string_view, 4> tactics;
  std::string_view name;  // as ATT&CK names it
};
// Techniques (not sub-techniques: those take their technique's tactics) under their tactics in
// ATT&CK Enterprise, for what the built-in pack, the public rule sets eksir reads and the
// incident's own findings cite. Sorted by id.
constexpr Technique kTechniques[] = {
    {"T1003", {CA}, "OS Credential Dumping"},
    {"T1005", {CO}, "Data from Local System"},
    {"T1016", {DI}, "System Network Configuration Discovery"},
    {"T1020", {XF}, "Automated Exfiltration"},
    {"T1021", {LM}, "Remote Services"},
    {"T1027", {DE}, "Obfuscated Files or Information"},
    {"T1033", {DI}, "System Owner/User Discovery"},
    {"T1036", {DE}, "Masquerading"},
    {"T1040", {CA, DI}, "Network Sniffing"},
    {"T1041", {XF}, "Exfiltration Over C2 Channel"},
    {"T1046", {DI}, "Network Service Discovery"},
    {"T1048", {XF}, "Exfiltration Over Alternative Protocol"},
    {"T1053", {EX, PE, PR}, "Scheduled Task/Job"},
    {"T1055", {DE, PR}, "Process Injection"},
    {"T1059", {EX}, "Command and Scripting Interpreter"},
    {"T1068", {PR}, "Exploitation for Privilege Escalation"},
    {"T1069", {DI}, "Permission Groups Discovery"},
    {"T1070", {DE}, "Indicator Removal"},
    {"T1071", {C2}, "Application Layer Protocol"},
    {"T1074", {CO}, "Data Staged"},
    {"T1078", {IA, PE, PR, DE}, "Valid Accounts"},
    {"T1082", {DI}, "System Information Discovery"},
    {"T1083", {DI}, "File and Directory Discovery"},
    {"T1087", {DI}, "Account Discovery"},
    {"T1090", {C2}, "Proxy"},
    {"T1095", {C2}, "Non-Application Layer Protocol"},
    {"T1098", {PE, PR}, "Account Manipulation"},
    {"T1102", {C2}, "Web Service"},
    {"T1105", {C2}, "Ingress Tool Transfer"},
    {"T1110", {CA}, "Brute Force"},
    {"T1119", {CO}, "Automated Collection"},
    {"T1133", {IA, PE}, "External Remote Services"},
    {"T1134", {PR, DE}, "Access Token Manipulation"},
    {"T1136", {PE}, "Create Account"},
    {"T1140", {DE}, "Deobfuscate/Decode Files or Information"},
    {"T1190", {IA}, "Exploit Public-Facing Application"},
    {"T1195", {IA}, "Supply Chain Compromise"},
    {"T1199", {IA}, "Trusted Relationship"},
    {"T1203", {EX}, "Exploitation for Client Execution"},
    {"T1204", {EX}, "User Execution"},
    {"T1212", {CA}, "Exploitation for Credential Access"},
    {"T1213", {CO}, "Data from Information Repositories"},
    {"T1222", {DE}, "File and Directory Permissions Modification"},
    {"T1484", {PR, DE}, "Domain or Tenant Policy Modification"},
    {"T1485", {IM}, "Data Destruction"},
    {"T1486", {IM}, "Data Encrypted for Impact"},
    {"T1489", {IM}, "Service Stop"},
    {"T1490", {IM}, "Inhibit System Recovery"},
    {"T1491", {IM}, "Defacement"},
    {"T1496", {IM}, "Resource Hijacking"},
    {"T1498", {IM}, "Network Denial of Service"},
    {"T1499", {IM}, "Endpoint Denial of Service"},
    {"T1505", {PE}, "Server Software Component"},
    {"T1518", {DI}, "Software Discovery"},
    {"T1525", {PE}, "Implant Internal Image"},
    {"T1526", {DI}, "Cloud Service Discovery"},
    {"T1528", {CA}, "Steal Application Access Token"},
    {"T1529", {IM}, "System Shutdown/Reboot"},
    {"T1530", {CO}, "Data from Cloud Storage"},
    {"T1531", {IM}, "Account Access Removal"},
    {"T1534", {LM}, "Internal Spearphishing"},
    {"T1537", {XF}, "Transfer Data to Cloud Account"},
    {"T1538", {DI}, "Cloud Service Dashboard"},
    {"T1539", {CA}, "Steal Web Session Cookie"},
    {"T1543", {PE, PR}, "Create or Modify System Process"},
    {"T1546", {PE, PR}, "Event Triggered Execution"},
    {"T1548", {PR, DE}, "Abuse Elevation Control Mechanism"},
    {"T1550", {DE, LM}, "Use Alternate Authentication Material"},
    {"T1552", {CA}, "Unsecured Credentials"},
    {"T1555", {CA}, "Credentials from Password Stores"},
    {"T1556", {CA, DE, PE}, "Modify Authentication Process"},
    {"T1557", {CA, CO}, "Adversary-in-the-Middle"},
    {"T1560", {CO}, "Archive Collected Data"},
    {"T1562", {DE}, "Impair Defenses"},
    {"T1565", {IM}, "Data Manipulation"},
    {"T1566", {IA}, "Phishing"},
    {"T1567", {XF}, "Exfiltration Over Web Service"},
    {"T1572", {C2}, "Protocol Tunneling"},
    {"T1578", {DE}, "Modify Cloud Compute Infrastructure"},
    {"T1580", {DI}, "Cloud Infrastructure Discovery"},
    {"T1583", {RD}, "Acquire Infrastructure"},
    {"T1584", {RD}, "Compromise Infrastructure"},
    {"T1592", {RE}, "Gather Victim Host Information"},
    {"T1595", {RE}, "Active Scanning"},
    {"T1606", {CA}, "Forge Web Credentials"},
    {"T1608", {RD}, "Stage Capabilities"},
    {"T1609", {EX}, "Container Administration Command"},
    {"T1610", {DE, EX}, "Deploy Container"},
    {"T1611", {PR}, "Escape to Host"},
    {"T1612", {DE}, "Build Image on Host"},
    {"T1613", {DI}, "Container and Resource Discovery"},
    {"T1619", {DI}, "Cloud Storage Object Discovery"},
    {"T1648", {EX}, "Serverless Execution"},
    {"T1651", {EX}, "Cloud Administration Command"},
    {"T1657", {IM}, "Financial Theft"},
    // ATT&CK v19's techniques of defense-impairment, as the Sigma rules citing them tag them.
    {"T1685", {DX}, ""},  // names not held: ATT&CK v19 is newer than the table
    {"T1686", {DX}, ""},
};

}  // namespace

std::optional<std::string> tactic_short_name(std::string_view name) {
  std::string n = util::ascii_lower(name);
  if (n.starts_with("mitre_")) n = n.substr(6);
  for (char& c : n)
    if (c == '_' || c == ' ') c = '-';
  for (const auto& t : kTactics)
    if (n == t.name || n == util::ascii_lower(t.id)) return std::string(t.name);
  for (std::string_view half : kDefenseEvasionHalves)
    if (n == half) return std::string(half);
  return std::nullopt;
}

std::string_view tactic_id(std::string_view short_name) {
  for (const auto& t : kTactics)
    if (t.name == short_name) return t.id;
  return {};
}

std::string tactic_display_name(std::string_view short_name) {
  std::string out;
  size_t start = 0;
  while (start <= short_name.size()) {
    size_t end = std::min(short_name.find('-', start), short_name.size());
    std::string_view word = short_name.substr(start, end - start);
    if (!out.empty()) out += ' ';
    if (word == "and" && start) {
      out += word;
    } else if (!word.empty()) {
      out += static_cast<char>(word[0] >= 'a' && word[0] <= 'z' ? word[0] - 'a' + 'A' : word[0]);
      out += word.substr(1);
    }
    start = end + 1;
  }
  return out;
}

bool is_technique_id(std::string_view t) {
  auto digits = [&](size_t from, size_t to) {
    return std::all_of(t.begin() + from, t.begin() + to,
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  if (t.size() != 5 && t.size() != 9) return false;
  if (t[0] != 'T' || !digits(1, 5)) return false;
  return t.size() == 5 || (t[5] == '.' && digits(6, 9));
}

const Technique* find_technique(std::string_view technique) {
  std::string_view base = technique.substr(0, technique.find('.'));
  auto it = std::lower_bound(std::begin(kTechniques), std::end(kTechniques), base,
                             [](const Technique& t, std::string_view id) { return t.id < id; });
  return it == std::end(kTechniques) || it->id != base ? nullptr : &*it;
}

std::string technique_url(std::string_view id) {
  if (!is_technique_id(id)) return {};
  std::string path(id);
  if (path.size() == 9) path[5] = '/';
  return "https://attack.mitre.org/techniques/" + path + "/";
}

std::string technique_name(std::string_view technique) {
  const Technique* it = find_technique(technique);
  return it ? std::string(it->name) : std::string();
}

std::vector<std::string> technique_tactics(std::string_view technique) {
  const Technique* it = find_technique(technique);
  std::vector<std::string> out;
  if (!it) return out;
  for (std::string_view t : it->tactics)
    if (!t.empty()) add_tactic(out, std::string(t));
  return out;
}

int tactic_rank(std::string_view tactic) {
  for (size_t i = 0; i < kTactics.size(); ++i)
    if (kTactics[i].name == tactic) return static_cast<int>(i);
  for (std::string_view half : kDefenseEvasionHalves)
    if (half == tactic) return kDefenseEvasionRank;
  return static_cast<int>(kTactics.size());
}

void add_tactic(std::vector<std::string>& tactics, std::string tactic) {
  if (tactic.empty() || std::find(tactics.begin(), tactics.end(), tactic) != tactics.end()) return;
  int rank = tactic_rank(tactic);
  auto at = std::find_if(tactics.begin(), tactics.end(),
                         [&](const std::string& t) { return tactic_rank(t) > rank; });
  tactics.insert(at, std::move(tactic));
}

std::vector<std::string> tactics_for(const std::vector<std::string>& given,
                                     const std::vector<std::string>& techniques) {
  std::vector<std::string> out;
  for (const auto& t : given) add_tactic(out, t);
  if (!out.empty()) return out;
  for (const auto& id : techniques)
    for (auto& t : technique_tactics(id)) add_tactic(out, std::move(t));
  return out;
}

std::string join_ids(const std::vector<std::string>& ids) {
  std::string out;
  std::vector<std::string_view> seen;
  for (const auto& id : ids) {
    if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
    seen.push_back(id);
    if (!out.empty()) out += ", ";
    out += id;
  }
  return out;
}

}  // namespace eksir::rules
