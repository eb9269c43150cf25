// `parley serve --lambda process`: the options of Lambda process mode (docs/lambda-local.md).
// Every option of this group but --lambda itself needs --lambda process.
#include "app/serve_options.hpp"

namespace app {

OptionGroup lambda_option_group() {
  using K = OptionKind;
  return {lambda_group_title, {
      {.name = "lambda", .value_name = "MODE",
       .help = "process: run each route's function as Lambda does: `bootstrap`\n"
               "processes (execution environments) served the Runtime API by this\n"
               "gateway, cold-started on demand and reused warm; the template's\n"
               "Timeout, ReservedConcurrentExecutions, MemorySize and Environment\n"
               "apply. The store and the routes (route selection expression, route\n"
               "keys, functions) come from the template. With --create-tables (and\n"
               "--store dynamodb) the template's AWS::DynamoDB::Table resources are\n"
               "created, named as !Ref gives them; the template's Stage names the\n"
               "default --stage",
       .choices = {"process"}},
      {.name = "template", .value_name = "FILE",
       .help = "SAM template (default deploy/template.yaml, in the working directory\n"
               "or beside the executable's directory)"},
      {.name = "bootstrap", .value_name = "PATH",
       .help = "the executable every function runs (default: `bootstrap` beside\n"
               "parley), e.g. the one unzipped from the Lambda package"},
      {.name = "lambda-concurrency", .kind = K::whole, .value_name = "N",
       .help = "account concurrency shared by functions without reserved\n"
               "concurrency (default {default}, as Lambda's); beyond it: throttled",
       .fallback = "1000", .min = 1, .max = 100000},
      {.name = "lambda-idle", .kind = K::whole, .value_name = "S",
       .help = "stop a warm environment unused for S seconds (default {default})", .fallback = "300", .min = 1,
       .max = 86400},
      {.name = "parameter-overrides", .value_name = "K=V [K=V ...]",
       .help = "the template's Parameters, as `sam deploy` takes them", .repeatable = true},
      {.name = "stack-name", .value_name = "NAME", .help = "AWS::StackName (default {default})",
       .fallback = "parley-local"},
      {.name = "python", .value_name = "PATH",
       .help = "the interpreter of python3.9-3.13 functions (default /usr/bin/python3,\n"
               "else python3 on PATH)"},
      {.name = "node", .value_name = "PATH",
       .help = "the interpreter of nodejs18.x-22.x functions (default {default} on PATH)", .fallback = "node"},
      {.name = "lambda-credentials", .value_name = "M",
       .help = "local (default): the functions get placeholder AWS credentials;\n"
               "host: this process's own (the default with DynamoDB in AWS itself)",
       .choices = {"local", "host"}},
      {.name = "no-hot-reload", .kind = K::flag,
       .help = "keep warm environments when a function's CodeUri changes"},
  }};
}

}  // namespace app
