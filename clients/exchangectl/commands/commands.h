// SPDX-License-Identifier: Apache-2.0
// exchangectl's commands. Each takes the arguments after its own name and
// returns the process exit code (see cli.h).
#pragma once

#include <string>
#include <vector>

namespace exchange::client {

int RunWhoAmI(const std::vector<std::string>& args);
int RunConfig(const std::vector<std::string>& args);
int RunPki(const std::vector<std::string>& args);
int RunCollections(const std::vector<std::string>& args);
int RunAdmin(const std::vector<std::string>& args);
int RunEnroll(const std::vector<std::string>& args);
int RunCredentials(const std::vector<std::string>& args);
int RunAudit(const std::vector<std::string>& args);
int RunReport(const std::vector<std::string>& args);
int RunSync(const std::vector<std::string>& args);
int RunMirror(const std::vector<std::string>& args);
int RunExport(const std::vector<std::string>& args);
int RunMatch(const std::vector<std::string>& args);
int RunLookup(const std::vector<std::string>& args);
int RunSubmit(const std::vector<std::string>& args);
int RunOpinion(const std::vector<std::string>& args);
int RunRetract(const std::vector<std::string>& args);
int RunSighting(const std::vector<std::string>& args);
int RunHash(const std::vector<std::string>& args);

}  // namespace exchange::client
