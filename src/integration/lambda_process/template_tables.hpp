#pragma once
// AWS::DynamoDB::Table resources as DynamoDB CreateTable requests, so that `--create-tables`
// makes the template's own tables (names as !Ref gives them) in the configured endpoint.
#include <string>

#include "integration/lambda_process/sam_template.hpp"

namespace integration::sam {

Table read_table(Intrinsics& in, const std::string& id);

}  // namespace integration::sam
