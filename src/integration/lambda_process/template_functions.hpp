#pragma once
// Reading one function resource of a template (AWS::Serverless::Function with Globals.Function
// underneath, or AWS::Lambda::Function), its properties evaluated by Intrinsics.
#include <string>

#include "integration/lambda_process/sam_template.hpp"

namespace integration::sam {

Function read_function(Intrinsics& in, const std::string& id, const YAML::Node& globals);

// The logical id of the function an IntegrationUri / AuthorizerUri (evaluated) calls:
// arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations, or the
// function's ARN itself. Throws naming `where` when it is no function of the template.
std::string function_of_uri(Intrinsics& in, const std::string& uri, const std::string& where);

}  // namespace integration::sam
